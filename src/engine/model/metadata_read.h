// Typed reads of a model's GGUF hyperparameters with the range checks every
// architecture wants: counts are positive and below 2^24, floats are finite.
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"

#include <cstdint>
#include <string>

namespace edgeai::engine::model {

// A count in [1, 2^24].
core::Result<uint32_t> read_count(const gguf::GgufFile& file, const std::string& key);
core::Result<uint32_t> read_count_or(const gguf::GgufFile& file, const std::string& key,
                                     uint32_t fallback);
// Any finite float (integers convert).
core::Result<float> read_float_or(const gguf::GgufFile& file, const std::string& key,
                                  float fallback);

} // namespace edgeai::engine::model
