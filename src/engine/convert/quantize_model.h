// `model quantize`: rewrites a GGUF model with its weights in one of
// llama.cpp's mixes (quant_mix.h chooses each tensor's type by llama.cpp's
// rules, fallbacks included). Metadata is copied (general.file_type set to the
// mix's); tensors llama.cpp does not quantize (norms, biases) keep their type.
#pragma once

#include "core/result.h"
#include "engine/convert/quant_mix.h"
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

// The 32-value type llama.cpp's quantizer (tensor_type_fallback) writes for a
// tensor whose rows do not divide into the super-blocks of `type`: iq4_xs
// becomes iq4_nl, q2_K and q3_K q4_0, q4_K q5_0, q5_K q5_1, q6_K q8_0; other
// types (already 32-value ones) stay. qwen2.5-0.5b's 896-wide rows are the case.
TensorType fallback_type(TensorType type);

// The weight types `model synth` writes, for messages.
std::string weight_type_names();

// "q4_0", "Q4_K", "f16", ... as llama.cpp names them (case-insensitive).
std::optional<TensorType> parse_weight_type(std::string_view name);

// `report` (optional) hears each fallback as it is decided; `progress`
// (optional) the number of tensors done after each one.
core::Result<std::string> quantize_model(const gguf::GgufFile& in, const QuantMix& mix, bool pure,
                                         const std::function<void(const std::string&)>& report = {},
                                         const std::function<void(size_t)>& progress = {});
// Every tensor llama.cpp quantizes in `type` (as --pure), with the fallbacks.
core::Result<std::string> quantize_model(const gguf::GgufFile& in, TensorType type, bool pure);

} // namespace edgeai::engine::convert
