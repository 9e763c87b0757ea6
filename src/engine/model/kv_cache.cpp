#include "engine/model/kv_cache.h"

namespace edgeai::engine::model {

uint64_t KvCache::bytes_needed(const ModelConfig& config, uint32_t n_ctx, KvType type) {
    const uint64_t element = type == KvType::kF32 ? 4 : 2;
    return uint64_t{config.n_layer} * 2 * n_ctx * config.kv_dim() * element;
}

KvCache::KvCache(const ModelConfig& config, uint32_t n_ctx, KvType type)
    : n_ctx_(n_ctx), type_(type),
      row_bytes_(size_t{config.kv_dim()} * (type == KvType::kF32 ? 4 : 2)),
      data_(new uint8_t[static_cast<size_t>(bytes_needed(config, n_ctx, type))]) {}

} // namespace edgeai::engine::model
