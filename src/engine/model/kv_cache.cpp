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

uint64_t KvCache::bytes_needed(const ModelConfig& config, uint32_t n_ctx, KvType type) {
    return uint64_t{config.n_layer} * 2 * n_ctx * bytes_of(type, config.kv_dim());
}

KvCache::KvCache(const ModelConfig& config, uint32_t n_ctx, KvType type)
    : n_ctx_(n_ctx), type_(type), head_bytes_(bytes_of(type, config.head_dim)),
      row_bytes_(bytes_of(type, config.kv_dim())),
      data_(new uint8_t[static_cast<size_t>(bytes_needed(config, n_ctx, type))]) {}

} // namespace edgeai::engine::model
