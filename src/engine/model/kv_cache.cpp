#include "engine/model/kv_cache.h"

#include <string>

namespace edgeai::engine::model {
namespace {

constexpr struct {
    KvType type;
    std::string_view name;
    TensorType tensor;
} kKvTypes[] = {{KvType::kF32, "f32", TensorType::kF32},
                {KvType::kF16, "f16", TensorType::kF16},
                {KvType::kQ8_0, "q8_0", TensorType::kQ8_0}};

// Bytes of n values of a cache row in `type` (n a multiple of its block).
size_t bytes_of(KvType type, size_t n) {
    const TensorTypeInfo* info = find_tensor_type(static_cast<uint32_t>(kv_tensor_type(type)));
    return n / info->block_values * info->block_bytes;
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

std::optional<KvType> parse_kv_type(std::string_view name) {
    for (const auto& k : kKvTypes) {
        if (k.name.size() != name.size()) continue;
        bool same = true;
        for (size_t i = 0; i < name.size(); ++i)
            same = same && lower(name[i]) == k.name[i];
        if (same) return k.type;
    }
    return std::nullopt;
}

std::string_view kv_type_name(KvType type) {
    for (const auto& k : kKvTypes)
        if (k.type == type) return k.name;
    return "?";
}

TensorType kv_tensor_type(KvType type) {
    for (const auto& k : kKvTypes)
        if (k.type == type) return k.tensor;
    return TensorType::kF32;
}

core::Status KvCache::check(const ModelConfig& config, KvType type) {
    const uint32_t block =
        find_tensor_type(static_cast<uint32_t>(kv_tensor_type(type)))->block_values;
    if (config.head_dim % block != 0)
        return core::invalid_argument(
            "a " + std::string(kv_type_name(type)) + " KV cache stores each head in blocks of " +
            std::to_string(block) + " values, and this model's heads have " +
            std::to_string(config.head_dim) + "; use --kv-type f16");
    return core::Status::ok_status();
}

namespace {

// Rows a sliding layer keeps: the window and one pass, never more than n_ctx.
uint32_t ring_rows(const ModelConfig& config, uint32_t n_ctx, uint32_t max_step) {
    if (config.sliding_window == 0 || max_step == 0) return n_ctx;
    const uint64_t rows = uint64_t{config.sliding_window} + max_step;
    return rows < n_ctx ? static_cast<uint32_t>(rows) : n_ctx;
}

bool slides(const ModelConfig& config, uint32_t layer) {
    return layer < config.layers.size() && config.layers[layer].sliding;
}

} // namespace

uint64_t KvCache::bytes_needed(const ModelConfig& config, uint32_t n_ctx, KvType type,
                               uint32_t max_step) {
    const uint32_t ring = ring_rows(config, n_ctx, max_step);
    uint64_t rows = 0;
    for (uint32_t l = 0; l < config.n_layer; ++l)
        rows += 2 * uint64_t{slides(config, l) ? ring : n_ctx};
    return rows * bytes_of(type, config.kv_dim());
}

KvCache::KvCache(const ModelConfig& config, uint32_t n_ctx, KvType type, uint32_t max_step)
    : n_ctx_(n_ctx), type_(type), max_step_(max_step == 0 ? n_ctx : max_step),
      window_(config.sliding_window), ring_(ring_rows(config, n_ctx, max_step)),
      head_bytes_(bytes_of(type, config.head_dim)), row_bytes_(bytes_of(type, config.kv_dim())),
      bytes_(bytes_needed(config, n_ctx, type, max_step)),
      data_(new uint8_t[static_cast<size_t>(bytes_)]) {
    layers_.reserve(config.n_layer);
    size_t first = 0;
    for (uint32_t l = 0; l < config.n_layer; ++l) {
        const uint32_t rows = slides(config, l) ? ring_ : n_ctx;
        layers_.push_back({first, rows});
        first += 2 * size_t{rows};
    }
}

uint32_t KvCache::reusable(uint32_t common) const {
    if (ring_ >= n_ctx_ || written_ <= ring_) return common;
    // The next token, at `common`, attends back to `common - window + 1`. A
    // ring row still holds its position p when no later position p + ring
    // has been written, i.e. p >= written_ - ring.
    const uint32_t needed = common + 1 > window_ ? common + 1 - window_ : 0;
    return needed >= written_ - ring_ ? common : 0;
}

} // namespace edgeai::engine::model
