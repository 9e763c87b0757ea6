#include "engine/convert/quant_mix.h"

#include "core/http_types.h"

#include <algorithm>
#include <numeric>

namespace edgeai::engine::convert {
namespace {

// llama.h's LLAMA_FTYPE_* numbers of the mixes edgeai writes.
enum Ftype : uint32_t {
    kAllF32 = 0,
    kF16 = 1,
    kQ4_0 = 2,
    kQ4_1 = 3,
    kQ8_0 = 7,
    kQ5_0 = 8,
    kQ5_1 = 9,
    kQ2_K = 10,
    kQ3_K_S = 11,
    kQ3_K_M = 12,
    kQ3_K_L = 13,
    kQ4_K_S = 14,
    kQ4_K_M = 15,
    kQ5_K_S = 16,
    kQ5_K_M = 17,
    kQ6_K = 18,
    kIQ4_NL = 25,
    kIQ4_XS = 30,
    kBF16 = 32,
};

constexpr QuantMix kMixes[] = {
    {"F32", kAllF32, TensorType::kF32},       {"F16", kF16, TensorType::kF16},
    {"BF16", kBF16, TensorType::kBF16},       {"Q8_0", kQ8_0, TensorType::kQ8_0},
    {"Q6_K", kQ6_K, TensorType::kQ6_K},       {"Q5_K_M", kQ5_K_M, TensorType::kQ5_K},
    {"Q5_K_S", kQ5_K_S, TensorType::kQ5_K},   {"Q5_1", kQ5_1, TensorType::kQ5_1},
    {"Q5_0", kQ5_0, TensorType::kQ5_0},       {"Q4_K_M", kQ4_K_M, TensorType::kQ4_K},
    {"Q4_K_S", kQ4_K_S, TensorType::kQ4_K},   {"Q4_1", kQ4_1, TensorType::kQ4_1},
    {"Q4_0", kQ4_0, TensorType::kQ4_0},       {"IQ4_NL", kIQ4_NL, TensorType::kIQ4_NL},
    {"IQ4_XS", kIQ4_XS, TensorType::kIQ4_XS}, {"Q3_K_L", kQ3_K_L, TensorType::kQ3_K},
    {"Q3_K_M", kQ3_K_M, TensorType::kQ3_K},   {"Q3_K_S", kQ3_K_S, TensorType::kQ3_K},
    {"Q2_K", kQ2_K, TensorType::kQ2_K},
};

// llama-quantize's aliases (tools/quantize/quantize.cpp's QUANT_OPTIONS).
constexpr struct {
    std::string_view alias;
    std::string_view name;
} kAliases[] = {{"Q3_K", "Q3_K_M"}, {"Q4_K", "Q4_K_M"}, {"Q5_K", "Q5_K_M"}};

bool contains(std::string_view s, std::string_view part) {
    return s.find(part) != std::string_view::npos;
}

uint32_t block_of(TensorType t) {
    return find_tensor_type(static_cast<uint32_t>(t))->block_values;
}
std::string name_of(TensorType t) {
    return std::string(find_tensor_type(static_cast<uint32_t>(t))->name);
}

bool is_quantized(TensorType t) {
    return t != TensorType::kF32 && t != TensorType::kF16 && t != TensorType::kBF16;
}

// The roles llama.cpp's rules tell apart (tensor_get_category), by name.
enum class Role {
    kTokenEmbd,
    kOutput,
    kAttnV,
    kAttnK,
    kAttnQ,
    kAttnOut,
    kFfnUp,
    kFfnGate,
    kFfnDown,
    kOther
};

Role role_of(std::string_view name) {
    if (name == "output.weight") return Role::kOutput;
    if (name == "token_embd.weight" || name == "per_layer_token_embd.weight")
        return Role::kTokenEmbd;
    // Fused QKV and MLA's kv_b count as attn_v: the values are in them.
    if (contains(name, "attn_qkv.weight") || contains(name, "attn_kv_b.weight") ||
        contains(name, "attn_v.weight"))
        return Role::kAttnV;
    if (contains(name, "attn_k.weight")) return Role::kAttnK;
    if (contains(name, "attn_q.weight")) return Role::kAttnQ;
    if (contains(name, "attn_output.weight")) return Role::kAttnOut;
    if (contains(name, "ffn_up")) return Role::kFfnUp;
    if (contains(name, "ffn_gate")) return Role::kFfnGate;
    if (contains(name, "ffn_down")) return Role::kFfnDown;
    return Role::kOther;
}

// Which tensors llama.cpp quantizes at all (tensor_allows_quantization), for
// the tensors the architectures edgeai runs can have: 2-D or more, named
// "...weight", not a norm; everything else keeps its type.
bool allows_quantization(const gguf::TensorInfo& t) {
    const std::string_view name = t.name;
    if (t.n_dims < 2) return false;
    if (name.size() < 6 || name.substr(name.size() - 6) != "weight") return false;
    return !contains(name, "_norm.weight") && !contains(name, "ffn_gate_inp.weight") &&
           !contains(name, "ssm_conv1d") && name != "position_embd.weight" &&
           name != "token_types.weight";
}

int layer_of(std::string_view name) {
    int layer = -1;
    if (name.substr(0, 4) == "blk.") {
        layer = 0;
        for (size_t i = 4; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i)
            layer = layer * 10 + (name[i] - '0');
    }
    return layer;
}

// A head count (an integer, or per-layer array whose first element counts, as
// llama.cpp's n_gqa() reads layer 0), or `fallback` when absent.
uint32_t head_count(const gguf::GgufFile& in, const std::string& key, uint32_t fallback) {
    if (auto v = in.get_uint(key); v.ok()) return static_cast<uint32_t>(*v);
    if (auto a = in.get_int_array(key); a.ok() && !a->empty() && (*a)[0] >= 0)
        return static_cast<uint32_t>((*a)[0]);
    return fallback;
}

// What llama.cpp's rules look at besides the tensor itself.
struct ModelFacts {
    int n_layer = 0;
    uint32_t n_gqa = 0; // n_head / n_head_kv of layer 0
    uint32_t n_expert = 0;
    bool falcon = false;
    bool is_70b = false; // llama's 80-layer GQA shape (LLM_TYPE_70B)
    bool tied_embeddings = true;
    int n_attn_v = 0;
};

// The counters llama.cpp advances as it walks the tensors.
struct Walk {
    int i_attn_v = 0, i_ffn_down = 0, i_ffn_gate = 0, i_ffn_up = 0;
};

// llama.cpp's use_more_bits: the first and last eighth of the layers and every
// third one between get more bits in the _M mixes.
bool use_more_bits(int i, int n) {
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

// ffn tensors of mixtures of experts name their layer; dense ones are counted.
int layer_index(int counter, std::string_view name, const ModelFacts& m) {
    return m.n_expert > 1 ? layer_of(name) : counter;
}

TensorType output_type(TensorType base, const gguf::TensorInfo& t, const ModelFacts& m) {
    if (m.falcon || t.dims[0] % block_of(base) != 0) return TensorType::kQ8_0;
    return base == TensorType::kQ8_0 ? base : TensorType::kQ6_K;
}

TensorType attn_v_type(TensorType type, uint32_t f, const ModelFacts& m, Walk& w) {
    if (f == kQ2_K)
        type = m.n_gqa >= 4 ? TensorType::kQ4_K : TensorType::kQ3_K;
    else if (f == kQ3_K_M)
        type = w.i_attn_v < 2 ? TensorType::kQ5_K : TensorType::kQ4_K;
    else if (f == kQ3_K_L)
        type = TensorType::kQ5_K;
    else if ((f == kIQ4_NL || f == kIQ4_XS) && m.n_gqa >= 4)
        type = TensorType::kQ5_K;
    else if ((f == kQ4_K_M || f == kQ5_K_M) && use_more_bits(w.i_attn_v, m.n_attn_v))
        type = TensorType::kQ6_K;
    else if (f == kQ4_K_S && w.i_attn_v < 4)
        type = TensorType::kQ5_K;
    // 70B: eight heads share each attn_v, so more bits cost little.
    if (m.is_70b && (type == TensorType::kQ3_K || type == TensorType::kQ4_K))
        type = TensorType::kQ5_K;
    if (m.n_expert == 8) type = TensorType::kQ8_0;
    ++w.i_attn_v;
    return type;
}

TensorType ffn_down_type(TensorType type, uint32_t f, std::string_view name, const ModelFacts& m,
                         Walk& w) {
    const int i = layer_index(w.i_ffn_down, name, m), n = m.n_layer;
    if (f == kQ2_K) {
        type = TensorType::kQ3_K;
    } else if (f == kQ3_K_M) {
        type = i < n / 16                         ? TensorType::kQ5_K
               : !m.falcon || use_more_bits(i, n) ? TensorType::kQ4_K
                                                  : TensorType::kQ3_K;
    } else if (f == kQ3_K_L) {
        type = m.falcon ? TensorType::kQ4_K : TensorType::kQ5_K;
    } else if (f == kQ4_K_M) {
        if (m.falcon)
            type = i < n / 16            ? TensorType::kQ6_K
                   : use_more_bits(i, n) ? TensorType::kQ5_K
                                         : TensorType::kQ4_K;
        else if (use_more_bits(i, n))
            type = TensorType::kQ6_K;
    } else if (i < n / 8 && (f == kIQ4_NL || f == kIQ4_XS)) {
        type = TensorType::kQ5_K; // without an importance matrix, as edgeai always is
    } else if (f == kQ5_K_M && use_more_bits(i, n)) {
        type = TensorType::kQ6_K;
    } else if (f == kQ4_K_S && !m.falcon && i < n / 8) {
        type = TensorType::kQ5_K;
    }
    ++w.i_ffn_down;
    return type;
}

TensorType attn_output_type(TensorType type, uint32_t f, const ModelFacts& m) {
    if (m.falcon) return f == kQ3_K_L ? TensorType::kQ4_K : type;
    if (m.n_expert == 8) {
        const bool low = f == kQ2_K || f == kQ3_K_S || f == kQ3_K_M || f == kIQ4_NL ||
                         f == kQ4_K_S || f == kQ4_K_M || f == kIQ4_XS;
        return low ? TensorType::kQ5_K : type;
    }
    if (f == kQ2_K) return TensorType::kQ3_K;
    if (f == kQ3_K_M) return TensorType::kQ4_K;
    if (f == kQ3_K_L) return TensorType::kQ5_K;
    return type;
}

// The mix's choice before shapes are considered (llama_tensor_get_type_impl,
// for the file types edgeai writes).
TensorType mix_type(const gguf::TensorInfo& t, const QuantMix& mix, const ModelFacts& m, Walk& w) {
    const uint32_t f = mix.ftype;
    TensorType type = mix.base;
    switch (role_of(t.name)) {
    case Role::kOutput:
        return output_type(type, t, m);
    case Role::kTokenEmbd:
        // Tied embeddings are the output matrix too.
        return m.tied_embeddings ? output_type(type, t, m) : type;
    case Role::kAttnV:
        return attn_v_type(type, f, m, w);
    case Role::kAttnK:
        return m.n_expert == 8 ? TensorType::kQ8_0 : type;
    case Role::kAttnQ:
    case Role::kOther:
        return type;
    case Role::kAttnOut:
        return attn_output_type(type, f, m);
    case Role::kFfnDown:
        return ffn_down_type(type, f, t.name, m, w);
    case Role::kFfnGate:
        ++w.i_ffn_gate; // only the IQ3_XS mix reads these counters
        return type;
    case Role::kFfnUp:
        ++w.i_ffn_up;
        return type;
    }
    return type;
}

// tensor_type_fallback: rows that do not divide into a type's blocks take a
// 32-value type of about as many bits, and f16 when even 32 does not divide
// (a 32-value type goes straight to f16).
TensorType fit_rows(const gguf::TensorInfo& t, TensorType type,
                    const std::function<void(const std::string&)>& report) {
    const uint64_t cols = t.dims[0];
    if (cols % block_of(type) == 0) return type;
    TensorType to = type;
    switch (type) {
    case TensorType::kIQ4_XS:
        to = TensorType::kIQ4_NL;
        break;
    case TensorType::kQ2_K:
    case TensorType::kQ3_K:
        to = TensorType::kQ4_0;
        break;
    case TensorType::kQ4_K:
        to = TensorType::kQ5_0;
        break;
    case TensorType::kQ5_K:
        to = TensorType::kQ5_1;
        break;
    case TensorType::kQ6_K:
        to = TensorType::kQ8_0;
        break;
    default:
        break; // already a 32-value type
    }
    const bool f16 = cols % block_of(to) != 0;
    if (f16) to = TensorType::kF16;
    if (report)
        report(std::string(t.name) + ": " + std::to_string(cols) +
               " columns do not divide into blocks of " + std::to_string(block_of(type)) + " (" +
               name_of(type) + ")" + (f16 && block_of(type) > 32 ? ", nor of 32" : "") + " -> " +
               name_of(to));
    return to;
}

uint64_t uint_or(const gguf::GgufFile& in, const std::string& key, uint64_t fallback) {
    auto v = in.get_uint(key);
    return v.ok() ? *v : fallback;
}

ModelFacts facts_of(const gguf::GgufFile& in) {
    ModelFacts m;
    auto arch_name = in.get_string("general.architecture");
    const std::string arch(arch_name.ok() ? *arch_name : "");
    const std::string p = arch + ".";
    m.n_layer = static_cast<int>(uint_or(in, p + "block_count", 0));
    const uint32_t n_head = head_count(in, p + "attention.head_count", 0);
    const uint32_t n_head_kv = head_count(in, p + "attention.head_count_kv", n_head);
    m.n_gqa = n_head_kv == 0 ? 0 : n_head / n_head_kv;
    m.n_expert = static_cast<uint32_t>(uint_or(in, p + "expert_count", 0));
    m.falcon = arch == "falcon";
    m.is_70b = arch == "llama" && m.n_layer == 80 && n_head != n_head_kv;
    for (const gguf::TensorInfo& t : in.tensors()) {
        if (t.name == "output.weight") m.tied_embeddings = false;
        if (role_of(t.name) == Role::kAttnV) ++m.n_attn_v;
    }
    return m;
}

} // namespace

const QuantMix* find_quant_mix(std::string_view name) {
    for (const auto& a : kAliases)
        if (core::iequals(a.alias, name)) name = a.name;
    for (const QuantMix& m : kMixes)
        if (core::iequals(m.name, name)) return &m;
    return nullptr;
}

std::string quant_mix_names() {
    std::string names;
    for (const QuantMix& m : kMixes)
        names += (names.empty() ? "" : ", ") + std::string(m.name);
    for (const auto& a : kAliases)
        names += ", " + std::string(a.alias);
    return names;
}

QuantMix pure_mix(TensorType base) {
    for (const QuantMix& m : kMixes)
        if (m.base == base)
            return {find_tensor_type(static_cast<uint32_t>(base))->name, m.ftype, base};
    return {find_tensor_type(static_cast<uint32_t>(base))->name, 0, base};
}

core::Result<std::vector<TensorType>>
choose_tensor_types(const gguf::GgufFile& in, const QuantMix& mix, bool pure,
                    const std::function<void(const std::string&)>& report) {
    const auto& tensors = in.tensors();
    const ModelFacts facts = facts_of(in);
    // llama.cpp walks the tensors by layer (the rest first), then by name
    // (llama_model_loader's weight_name_comparer); its counters follow that
    // order, whatever order the file has.
    std::vector<size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const int la = layer_of(tensors[a].name), lb = layer_of(tensors[b].name);
        return la != lb ? la < lb : tensors[a].name < tensors[b].name;
    });
    std::vector<TensorType> types(tensors.size());
    Walk walk;
    for (size_t i : order) {
        const gguf::TensorInfo& t = tensors[i];
        types[i] = t.type->type;
        if (!allows_quantization(t)) continue;
        TensorType type = mix.base;
        if (is_quantized(type)) {
            if (!pure) type = mix_type(t, mix, facts, walk);
            type = fit_rows(t, type, report);
        }
        types[i] = type;
    }
    return types;
}

} // namespace edgeai::engine::convert
