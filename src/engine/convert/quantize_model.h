// `model quantize`: rewrites a GGUF model with its 2-D weights in another
// type. Metadata is copied (general.file_type updated); 1-D tensors (norms,
// biases) stay f32. Like llama.cpp's default mixes, the output matrix keeps
// more precision (q6_K) for 4- and 5-bit targets unless `pure` is set; a
// tensor whose rows do not divide into the type's blocks falls back to q8_0
// or f16.
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"
#include "engine/tensor/tensor_type.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace edgeai::engine::convert {

// llama.cpp's general.file_type for a model in `type`: with every 2-D tensor
// in it (pure: the K types' _S mixes) or with a q6_K output matrix (_M).
uint32_t llama_file_type(TensorType type, bool pure);

// "q4_0", "Q4_K", "f16", ... as llama.cpp names them (case-insensitive).
std::optional<TensorType> parse_weight_type(std::string_view name);

// `progress` (optional) hears the number of tensors done after each one.
core::Result<std::string> quantize_model(const gguf::GgufFile& in, TensorType type, bool pure,
                                         const std::function<void(size_t)>& progress = {});

} // namespace edgeai::engine::convert
