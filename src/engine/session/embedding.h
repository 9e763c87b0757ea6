// Embeddings from a decoder model: the final hidden states (after the output
// norm) of every input token, averaged and scaled to unit length. Mean pooling
// is what llama.cpp's server uses for such models unless their metadata says
// otherwise, and unit length makes cosine similarity a dot product.
#pragma once

#include "core/result.h"
#include "engine/model/forward.h"

#include <span>
#include <vector>

namespace edgeai::engine::session {

// `cache` holds at least tokens.size() positions; it is overwritten.
core::Result<std::vector<float>> embed_tokens(model::Forward& forward, model::KvCache& cache,
                                              std::span<const int32_t> tokens);

} // namespace edgeai::engine::session
