// Converts a llama2.c checkpoint (Karpathy's run.c format, legacy v0 header)
// and its tokenizer.bin into a GGUF `llama` model with a SentencePiece-style
// vocabulary, so the reference model stories260K runs through the same path
// as every downloaded GGUF. Bytes in, bytes out: the CLI owns the files.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace edgeai::engine::convert {

struct Llama2cShape {
    uint32_t dim = 0, hidden_dim = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0;
    uint32_t vocab_size = 0, seq_len = 0;
    bool shared_classifier = true;
};

// Reads and checks the header against the checkpoint's size.
core::Result<Llama2cShape> read_llama2c_shape(std::span<const uint8_t> checkpoint);

// The whole GGUF file. `name` goes into general.name.
core::Result<std::string> convert_llama2c(std::span<const uint8_t> checkpoint,
                                          std::span<const uint8_t> tokenizer,
                                          std::string_view name);

} // namespace edgeai::engine::convert
