// A GGUF file again with more f32 tensors added (biases a synthesized model
// lacks), for tests of what the loader does with optional tensors.
#pragma once

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/test_data.h"

#include <string>
#include <utility>
#include <vector>

namespace edgeai::engine::testing {

using ExtraTensors = std::vector<std::pair<std::string, std::vector<float>>>;

inline std::string with_extra_tensors(const std::string& bytes, const ExtraTensors& extra) {
    auto in = gguf::GgufFile::parse(as_bytes(bytes));
    if (!in.ok()) return {};
    gguf::GgufWriter out;
    for (const gguf::KeyValue& kv : in->metadata())
        if (kv.key != "general.alignment") out.copy_value(*in, kv);
    for (const gguf::TensorInfo& t : in->tensors()) {
        const auto data = in->tensor_data(t);
        out.add_tensor(t.name, std::vector<uint64_t>(t.dims.begin(), t.dims.begin() + t.n_dims),
                       t.type->type,
                       std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
    }
    for (const auto& [name, values] : extra)
        out.add_tensor(name, {values.size()}, TensorType::kF32,
                       std::string_view(reinterpret_cast<const char*>(values.data()),
                                        values.size() * sizeof(float)));
    return out.finish(in->alignment());
}

// attn_output, ffn_gate, ffn_up and ffn_down biases for every layer: values
// of about `size` that differ between elements and tensors.
inline ExtraTensors layer_biases(uint32_t n_layer, uint32_t n_embd, uint32_t n_ff, float size) {
    ExtraTensors out;
    uint32_t seed = 1;
    auto values = [&](uint32_t n) {
        std::vector<float> v(n);
        for (float& x : v) {
            seed = seed * 1664525u + 1013904223u;
            x = size * (static_cast<float>(seed >> 8) / 8388608.0f - 1.0f);
        }
        return v;
    };
    for (uint32_t l = 0; l < n_layer; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        out.push_back({b + "attn_output.bias", values(n_embd)});
        out.push_back({b + "ffn_gate.bias", values(n_ff)});
        out.push_back({b + "ffn_up.bias", values(n_ff)});
        out.push_back({b + "ffn_down.bias", values(n_embd)});
    }
    return out;
}

} // namespace edgeai::engine::testing
