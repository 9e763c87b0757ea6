// The keys and values one sequence has produced so far, per layer and
// position, in f32 or f16 (half the memory, a little precision). A sequence's
// cache is sized for its context once; positions past n_ctx are refused by
// the forward pass.
#pragma once

#include "engine/model/model_config.h"

#include <cstdint>
#include <memory>

namespace edgeai::engine::model {

enum class KvType { kF32, kF16 };

class KvCache {
  public:
    static uint64_t bytes_needed(const ModelConfig& config, uint32_t n_ctx, KvType type);

    KvCache(const ModelConfig& config, uint32_t n_ctx, KvType type);

    uint32_t n_ctx() const { return n_ctx_; }
    KvType type() const { return type_; }
    size_t element_bytes() const { return type_ == KvType::kF32 ? 4 : 2; }

    // The start of the key (value) row of `layer` at `pos`: kv_dim elements.
    uint8_t* key(uint32_t layer, uint32_t pos) { return at(0, layer, pos); }
    uint8_t* value(uint32_t layer, uint32_t pos) { return at(1, layer, pos); }
    const uint8_t* key(uint32_t layer, uint32_t pos) const { return at(0, layer, pos); }
    const uint8_t* value(uint32_t layer, uint32_t pos) const { return at(1, layer, pos); }

  private:
    uint8_t* at(int kind, uint32_t layer, uint32_t pos) const {
        const size_t index = (size_t{layer} * 2 + static_cast<size_t>(kind)) * n_ctx_ + pos;
        return data_.get() + index * row_bytes_;
    }

    uint32_t n_ctx_;
    KvType type_;
    size_t row_bytes_;
    // Not zeroed: pages are touched only as positions fill, so RSS follows use.
    std::unique_ptr<uint8_t[]> data_;
};

} // namespace edgeai::engine::model
