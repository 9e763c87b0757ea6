// GGUF (v2 and v3) read from a byte span: the mapped file natively, a buffer in
// WASM. parse() checks the whole structure before anything is used: every
// count against the bytes left (so a hostile count never becomes an
// allocation), every string's length and UTF-8, value and tensor types,
// duplicate keys and names, alignment, and that every tensor's data lies inside
// the file without overlapping another. Afterwards access is by view: keys,
// strings and tensor data point into the span, which must outlive the GgufFile.
#pragma once

#include "core/result.h"
#include "engine/tensor/tensor_type.h"

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace edgeai::engine::gguf {

enum class ValueType : uint32_t {
    kU8 = 0,
    kI8 = 1,
    kU16 = 2,
    kI16 = 3,
    kU32 = 4,
    kI32 = 5,
    kF32 = 6,
    kBool = 7,
    kString = 8,
    kArray = 9,
    kU64 = 10,
    kI64 = 11,
    kF64 = 12,
};

std::string_view value_type_name(ValueType type);
// Bytes of one scalar of `type`; 0 for strings and arrays.
uint64_t value_type_size(ValueType type);

// Bounds that no real model comes near; past them a file is refused.
inline constexpr uint64_t kMaxTensors = uint64_t{1} << 20;
inline constexpr uint64_t kMaxKeyValues = uint64_t{1} << 20;
inline constexpr uint64_t kMaxStringBytes = uint64_t{1} << 24;
inline constexpr uint32_t kMaxDims = 4;
inline constexpr size_t kMaxTensorNameBytes = 64; // GGML_MAX_NAME
inline constexpr uint64_t kDefaultAlignment = 32;

struct KeyValue {
    std::string_view key;
    ValueType type;
    // Scalars: where the value starts. Arrays: where the elements start.
    size_t offset = 0;
    ValueType element_type = ValueType::kU8; // arrays only
    uint64_t count = 0;                      // arrays only
    size_t end = 0;                          // one past the value's last byte
};

struct TensorInfo {
    std::string_view name;
    uint32_t n_dims = 0;
    std::array<uint64_t, kMaxDims> dims{1, 1, 1, 1}; // dims[0] is the innermost
    const TensorTypeInfo* type = nullptr;
    uint64_t n_elements = 0;
    uint64_t offset = 0; // absolute, from the start of the file
    uint64_t size = 0;   // bytes
};

class GgufFile {
  public:
    static core::Result<GgufFile> parse(std::span<const uint8_t> bytes);

    uint32_t version() const { return version_; }
    std::span<const uint8_t> bytes() const { return bytes_; }
    uint64_t alignment() const { return alignment_; }
    uint64_t data_offset() const { return data_offset_; }

    const std::vector<KeyValue>& metadata() const { return kvs_; }
    const KeyValue* find(std::string_view key) const;

    // Typed reads; a missing key or another type is an error naming both.
    // Integers of any width and signedness convert when the value fits.
    core::Result<std::string_view> get_string(std::string_view key) const;
    core::Result<uint64_t> get_uint(std::string_view key) const;
    core::Result<int64_t> get_int(std::string_view key) const;
    core::Result<double> get_float(std::string_view key) const;
    core::Result<bool> get_bool(std::string_view key) const;
    // Arrays: the n-th element. Strings are views into the file.
    core::Result<std::vector<std::string_view>> get_string_array(std::string_view key) const;
    core::Result<std::vector<double>> get_float_array(std::string_view key) const;
    core::Result<std::vector<int64_t>> get_int_array(std::string_view key) const;

    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* find_tensor(std::string_view name) const;
    // parse() checked that offset + size lies inside the bytes, so both fit size_t
    // even on 32-bit targets.
    std::span<const uint8_t> tensor_data(const TensorInfo& tensor) const {
        return bytes_.subspan(static_cast<size_t>(tensor.offset), static_cast<size_t>(tensor.size));
    }

  private:
    core::Result<const KeyValue*> require(std::string_view key, ValueType type) const;
    core::Result<const KeyValue*> require_array(std::string_view key) const;

    std::span<const uint8_t> bytes_;
    uint32_t version_ = 0;
    uint64_t alignment_ = kDefaultAlignment;
    uint64_t data_offset_ = 0;
    std::vector<KeyValue> kvs_;
    std::vector<TensorInfo> tensors_;
};

} // namespace edgeai::engine::gguf
