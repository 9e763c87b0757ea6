#include "engine/convert/quantize_model.h"

#include "core/http_types.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/kernels/dequantize.h"
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/quantize.h"

#include <vector>

namespace edgeai::engine::convert {
namespace {

constexpr TensorType kWeightTypes[] = {TensorType::kF32,    TensorType::kF16,  TensorType::kBF16,
                                       TensorType::kQ8_0,   TensorType::kQ5_1, TensorType::kQ5_0,
                                       TensorType::kQ4_1,   TensorType::kQ4_0, TensorType::kIQ4_NL,
                                       TensorType::kQ6_K,   TensorType::kQ5_K, TensorType::kQ4_K,
                                       TensorType::kIQ4_XS, TensorType::kQ3_K, TensorType::kQ2_K};

} // namespace

TensorType fallback_type(TensorType type) {
    switch (type) {
    case TensorType::kIQ4_XS:
        return TensorType::kIQ4_NL;
    case TensorType::kQ2_K:
    case TensorType::kQ3_K:
        return TensorType::kQ4_0;
    case TensorType::kQ4_K:
        return TensorType::kQ5_0;
    case TensorType::kQ5_K:
        return TensorType::kQ5_1;
    case TensorType::kQ6_K:
        return TensorType::kQ8_0;
    default:
        return type;
    }
}

std::string weight_type_names() {
    std::string names;
    for (TensorType t : kWeightTypes) {
        if (!names.empty()) names += ", ";
        names += find_tensor_type(static_cast<uint32_t>(t))->name;
    }
    return names;
}

uint32_t llama_file_type(TensorType type, bool pure) {
    switch (type) {
    case TensorType::kF16:
        return 1;
    case TensorType::kQ4_0:
        return 2;
    case TensorType::kQ4_1:
        return 3;
    case TensorType::kQ8_0:
        return 7;
    case TensorType::kQ5_0:
        return 8;
    case TensorType::kQ5_1:
        return 9;
    case TensorType::kQ2_K:
        return 10;
    case TensorType::kQ3_K:
        return 11; // Q3_K_S: edgeai's mix is not llama.cpp's Q3_K_M
    case TensorType::kIQ4_NL:
        return 25;
    case TensorType::kIQ4_XS:
        return 30;
    case TensorType::kQ4_K:
        return pure ? 14 : 15;
    case TensorType::kQ5_K:
        return pure ? 16 : 17;
    case TensorType::kQ6_K:
        return 18;
    case TensorType::kBF16:
        return 32;
    default:
        return 0;
    }
}

std::optional<TensorType> parse_weight_type(std::string_view name) {
    for (TensorType t : kWeightTypes)
        if (core::iequals(find_tensor_type(static_cast<uint32_t>(t))->name, name)) return t;
    return std::nullopt;
}

core::Result<std::string> quantize_model(const gguf::GgufFile& in, const QuantMix& mix, bool pure,
                                         const std::function<void(const std::string&)>& report,
                                         const std::function<void(size_t)>& progress) {
    EDGEAI_ASSIGN_OR_RETURN(const std::vector<TensorType> types,
                            choose_tensor_types(in, mix, pure, report));
    gguf::GgufWriter out;
    for (const gguf::KeyValue& kv : in.metadata()) {
        if (kv.key == "general.file_type" || kv.key == "general.alignment") continue;
        out.copy_value(in, kv);
    }
    out.add_u32("general.file_type", mix.ftype);
    std::vector<float> row;
    std::string data;
    for (size_t i = 0; i < in.tensors().size(); ++i) {
        const gguf::TensorInfo& t = in.tensors()[i];
        const TensorType from = t.type->type;
        const TensorType to = types[i];
        std::vector<uint64_t> dims(t.dims.begin(), t.dims.begin() + t.n_dims);
        if (from == to) { // kept as it is, as llama.cpp copies it
            const auto bytes = in.tensor_data(t);
            out.add_tensor(
                t.name, dims, to,
                std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
            if (progress) progress(i + 1);
            continue;
        }
        if (kernels::dot_for(kernels::scalar_kernels(), from) == nullptr)
            return core::Status(core::StatusCode::kUnimplemented,
                                "tensor '" + std::string(t.name) + "' has type " +
                                    std::string(t.type->name) + ", which cannot be requantized");
        const size_t cols = static_cast<size_t>(t.dims[0]);
        const size_t rows = static_cast<size_t>(t.n_elements / t.dims[0]);
        const size_t in_row = static_cast<size_t>(t.size / rows);
        const size_t out_row = kernels::row_bytes(to, cols);
        row.resize(cols);
        data.assign(out_row * rows, '\0');
        for (size_t r = 0; r < rows; ++r) {
            kernels::dequantize_row(from, in.tensor_data(t).data() + r * in_row, row.data(), cols);
            kernels::quantize_row(to, row.data(), data.data() + r * out_row, cols);
        }
        out.add_tensor(t.name, dims, to, data);
        if (progress) progress(i + 1);
    }
    return out.finish(in.alignment());
}

core::Result<std::string> quantize_model(const gguf::GgufFile& in, TensorType type, bool pure) {
    const QuantMix* named =
        pure ? nullptr : find_quant_mix(find_tensor_type(static_cast<uint32_t>(type))->name);
    return quantize_model(in, named != nullptr ? *named : pure_mix(type), named == nullptr);
}

} // namespace edgeai::engine::convert
