// Builds GGUF v3 files in memory: metadata of every type, tensors with their
// data, alignment padding as llama.cpp expects. Used to write converted and
// quantized models and, in tests, to make files (broken ones included) byte by
// byte.
#pragma once

#include "engine/gguf/gguf_file.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::gguf {

class GgufWriter {
  public:
    GgufWriter& add_u32(std::string_view key, uint32_t v);
    GgufWriter& add_i32(std::string_view key, int32_t v);
    GgufWriter& add_u64(std::string_view key, uint64_t v);
    GgufWriter& add_f32(std::string_view key, float v);
    GgufWriter& add_bool(std::string_view key, bool v);
    GgufWriter& add_string(std::string_view key, std::string_view v);
    GgufWriter& add_string_array(std::string_view key, const std::vector<std::string>& v);
    GgufWriter& add_f32_array(std::string_view key, const std::vector<float>& v);
    GgufWriter& add_i32_array(std::string_view key, const std::vector<int32_t>& v);

    // Copies one key and its value from another file (any type, arrays too).
    GgufWriter& copy_value(const GgufFile& file, const KeyValue& kv);

    // dims[0] is the innermost dimension; `data` must have the size the type
    // and shape imply (the writer does not check, so tests can lie).
    GgufWriter& add_tensor(std::string_view name, const std::vector<uint64_t>& dims,
                           TensorType type, std::string_view data);
    // For files too large to build in memory: a tensor of `size` bytes whose data
    // the caller writes itself after header() (see there). finish() writes zeros.
    GgufWriter& add_tensor_info(std::string_view name, const std::vector<uint64_t>& dims,
                                TensorType type, uint64_t size);

    // The whole file. `alignment` also goes into general.alignment when not 32.
    std::string finish(uint64_t alignment = kDefaultAlignment) const;
    // The file up to where tensor data starts (padded to `alignment`). Appending
    // each tensor's data in the order the tensors were added, each followed by
    // zeros up to a multiple of `alignment`, gives what finish() returns.
    std::string header(uint64_t alignment = kDefaultAlignment) const;

  private:
    struct Tensor {
        std::string name;
        std::vector<uint64_t> dims;
        TensorType type;
        uint64_t size;
        std::string data; // empty for add_tensor_info()
    };
    void key(std::string_view k, ValueType t);

    std::string kv_bytes_;
    uint64_t n_kv_ = 0;
    std::vector<Tensor> tensors_;
};

// Appends little-endian bytes of a value; for tests that hand-craft headers.
template <typename T> void append_le(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
void append_gguf_string(std::string& out, std::string_view s);

} // namespace edgeai::engine::gguf
