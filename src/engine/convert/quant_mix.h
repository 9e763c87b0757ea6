// llama.cpp's quantization mixes (`Q4_K_M`, `Q3_K_S`, `IQ4_XS`, ...): which
// type each tensor of a model gets, by the rules of llama.cpp's quantizer
// (src/llama-quant.cpp: llama_tensor_get_type and its _impl, and
// tensor_type_fallback), so `edgeai model quantize IN OUT Q4_K_M` writes a
// file with the same type for every tensor as `llama-quantize IN OUT Q4_K_M`.
// The rules are written out in docs/engine.md ("Quantization mixes").
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"
#include "engine/tensor/tensor_type.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::convert {

// One of llama.cpp's file types (llama.h's LLAMA_FTYPE_*).
struct QuantMix {
    std::string_view name; // "Q4_K_M", as llama-quantize names it
    uint32_t ftype;        // general.file_type
    TensorType base;       // the type most tensors get
};

// A mix by llama-quantize's name, case-insensitively, with its aliases (Q4_K
// for Q4_K_M, Q5_K for Q5_K_M, Q3_K for Q3_K_M); null when not one edgeai
// writes.
const QuantMix* find_quant_mix(std::string_view name);
// Every name find_quant_mix knows, for messages.
std::string quant_mix_names();
// Every type in `base` (llama-quantize --pure), for the types no mix is named
// after; general.file_type 0 when llama.cpp has no file type for it.
QuantMix pure_mix(TensorType base);

// The type of each tensor of `in` (in file order) in `mix`. `pure` skips the
// per-tensor rules as llama-quantize --pure does; rows that do not divide
// into a type's blocks still fall back. `report` (optional) hears each
// fallback as it is decided. Fails only on a file whose metadata cannot be
// read the way the rules need.
core::Result<std::vector<TensorType>>
choose_tensor_types(const gguf::GgufFile& in, const QuantMix& mix, bool pure,
                    const std::function<void(const std::string&)>& report = {});

} // namespace edgeai::engine::convert
