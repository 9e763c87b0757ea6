// `model quantize`: rewrites a GGUF model with its 2-D weights in another
// type. Metadata is copied (general.file_type updated); 1-D tensors (norms,
// biases) stay f32. Like llama.cpp's default mixes, the output matrix keeps
// more precision (q6_K) for 4- and 5-bit targets unless `pure` is set; a
// tensor whose rows do not divide into the type's blocks falls back as
// llama.cpp's quantizer does (fallback_type), and to f16 when even that does
// not divide.
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

// The 32-value type llama.cpp's quantizer (llama_tensor_get_type) writes for
// a tensor whose rows do not divide into the super-blocks of `type`: q2_K,
// q3_K and iq4_xs become iq4_nl, q4_K q5_0, q5_K q5_1, q6_K q8_0; other types
// (already 32-value ones) stay. qwen2.5-0.5b's 896-wide rows are the case.
TensorType fallback_type(TensorType type);

// The weight types `model quantize` and `model synth` write, for messages.
std::string weight_type_names();

// "q4_0", "Q4_K", "f16", ... as llama.cpp names them (case-insensitive).
std::optional<TensorType> parse_weight_type(std::string_view name);

// `progress` (optional) hears the number of tensors done after each one.
core::Result<std::string> quantize_model(const gguf::GgufFile& in, TensorType type, bool pure,
                                         const std::function<void(size_t)>& progress = {});

} // namespace edgeai::engine::convert
