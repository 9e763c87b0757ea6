// The keys and values one sequence has produced so far, per layer and
// position, in f32, f16 (half the memory, a little precision) or q8_0 (blocks
// of 32 int8 values with an f16 scale: 34 bytes per 32 values, 17/32 of f16).
// A sequence's cache is sized for its context once; positions past n_ctx are
// refused by the forward pass.
#pragma once

#include "core/status.h"
#include "engine/model/model_config.h"
#include "engine/tensor/tensor_type.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace edgeai::engine::model {

enum class KvType { kF32, kF16, kQ8_0 };

// "f32", "f16", "q8_0" (llama.cpp's --cache-type-k names), case-insensitive.
std::optional<KvType> parse_kv_type(std::string_view name);
std::string_view kv_type_name(KvType type);
// The tensor type a row of the cache is stored in.
TensorType kv_tensor_type(KvType type);

class KvCache {
  public:
    static uint64_t bytes_needed(const ModelConfig& config, uint32_t n_ctx, KvType type);
    // Whether a model's heads fit the type: q8_0 stores each head as whole
    // blocks of 32 (llama.cpp refuses other head sizes for a q8_0 cache too).
    static core::Status check(const ModelConfig& config, KvType type);

    // `type` must pass check() for `config`.
    KvCache(const ModelConfig& config, uint32_t n_ctx, KvType type);

    uint32_t n_ctx() const { return n_ctx_; }
    KvType type() const { return type_; }
    // Where head `kv_head` starts in a row, in bytes.
    size_t head_offset(uint32_t kv_head) const { return kv_head * head_bytes_; }

    // The start of the key (value) row of `layer` at `pos`: kv_dim values.
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
    size_t head_bytes_;
    size_t row_bytes_;
    // Not zeroed: pages are touched only as positions fill, so RSS follows use.
    std::unique_ptr<uint8_t[]> data_;
};

} // namespace edgeai::engine::model
