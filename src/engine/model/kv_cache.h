// The keys and values one sequence has produced so far, per layer and
// position, in f32, f16 (half the memory, a little precision) or q8_0 (blocks
// of 32 int8 values with an f16 scale: 34 bytes per 32 values, 17/32 of f16).
// A sequence's cache is sized for its context once; positions past n_ctx are
// refused by the forward pass.
//
// Sliding-window layers (gemma3: five of every six) see only the last
// `sliding_window` positions, so they keep only those plus one forward pass's
// worth (`max_step`): a ring of window + max_step rows, position p in row
// p % ring, as llama.cpp's SWA cache sizes it (n_swa + n_ubatch). The extra
// rows let a pass write all its positions before any of its tokens attends.
// gemma3-1b at 32k context keeps 4 of its 26 layers whole instead of 26.
#pragma once

#include "core/status.h"
#include "engine/model/model_config.h"
#include "engine/tensor/tensor_type.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace edgeai::engine::model {

enum class KvType { kF32, kF16, kQ8_0 };

// "f32", "f16", "q8_0" (llama.cpp's --cache-type-k names), case-insensitive.
std::optional<KvType> parse_kv_type(std::string_view name);
std::string_view kv_type_name(KvType type);
// The tensor type a row of the cache is stored in.
TensorType kv_tensor_type(KvType type);

class KvCache {
  public:
    // `max_step`: the most positions of this sequence one forward pass
    // writes (the forward pass's max_batch); 0 keeps every layer whole.
    static uint64_t bytes_needed(const ModelConfig& config, uint32_t n_ctx, KvType type,
                                 uint32_t max_step = 0);
    // Whether a model's heads fit the type: q8_0 stores each head as whole
    // blocks of 32 (llama.cpp refuses other head sizes for a q8_0 cache too).
    static core::Status check(const ModelConfig& config, KvType type);

    // `type` must pass check() for `config`.
    KvCache(const ModelConfig& config, uint32_t n_ctx, KvType type, uint32_t max_step = 0);

    uint32_t n_ctx() const { return n_ctx_; }
    KvType type() const { return type_; }
    // Positions one forward pass may write (n_ctx when no layer is a ring).
    uint32_t max_step() const { return max_step_; }
    uint64_t bytes() const { return bytes_; }

    // How many of the `common` first positions a sequence may keep when it
    // goes on from there: all of them, or 0 when a ring has already written
    // over a position the next token attends to (the sequence then starts
    // again). Prefix reuse asks this before rewinding.
    uint32_t reusable(uint32_t common) const;
    // Called by the forward pass for every position it writes.
    void note_written(uint32_t pos) {
        if (pos >= written_) written_ = pos + 1;
    }
    // The sequence goes on from `pos` (after reusable()).
    void rewind(uint32_t pos) {
        if (pos == 0) written_ = 0;
    }
    // Where head `kv_head` starts in a row, in bytes.
    size_t head_offset(uint32_t kv_head) const { return kv_head * head_bytes_; }

    // The start of the key (value) row of `layer` at `pos`: kv_dim values.
    uint8_t* key(uint32_t layer, uint32_t pos) { return at(0, layer, pos); }
    uint8_t* value(uint32_t layer, uint32_t pos) { return at(1, layer, pos); }
    const uint8_t* key(uint32_t layer, uint32_t pos) const { return at(0, layer, pos); }
    const uint8_t* value(uint32_t layer, uint32_t pos) const { return at(1, layer, pos); }

  private:
    struct LayerRows {
        size_t first;  // the layer's first key row
        uint32_t rows; // n_ctx, or the ring's rows for a sliding layer
    };
    uint8_t* at(int kind, uint32_t layer, uint32_t pos) const {
        const LayerRows& l = layers_[layer];
        const uint32_t row = pos < l.rows ? pos : pos % l.rows;
        const size_t index = l.first + (kind == 0 ? 0 : l.rows) + row;
        return data_.get() + index * row_bytes_;
    }

    uint32_t n_ctx_;
    KvType type_;
    uint32_t max_step_;
    uint32_t window_; // sliding_window, 0 when no layer slides
    uint32_t ring_;   // rows of a sliding layer (n_ctx when it keeps all)
    size_t head_bytes_;
    size_t row_bytes_;
    uint64_t bytes_;
    // Positions 0..written_-1 have been written since the sequence began.
    uint32_t written_ = 0;
    std::vector<LayerRows> layers_;
    // Not zeroed: pages are touched only as positions fill, so RSS follows use.
    std::unique_ptr<uint8_t[]> data_;
};

} // namespace edgeai::engine::model
