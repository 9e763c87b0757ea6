#include "engine/gguf/gguf_file.h"

#include "core/utf8.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace edgeai::engine::gguf {

namespace {

using core::Status;

constexpr uint32_t kMagic = 0x46554747; // "GGUF" read little-endian
// Bytes of the smallest possible key/value and tensor record, to bound counts
// by what the file could hold at all.
constexpr uint64_t kMinKeyValueBytes = 8 + 4 + 1;           // empty key, type, one-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8; // name, n_dims, one dim, type, offset

Status corrupt(uint64_t at, const std::string& what) {
    return core::data_loss("gguf: " + what + " (at byte " + std::to_string(at) + ")");
}

bool valid_utf8(std::string_view s) {
    size_t i = 0;
    uint32_t code_point = 0;
    while (i < s.size()) {
        size_t n = core::decode_utf8(s, i, &code_point);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

// Fixed size of a scalar value type; 0 for strings and arrays.
uint64_t scalar_size(ValueType type) {
    switch (type) {
    case ValueType::kU8:
    case ValueType::kI8:
    case ValueType::kBool:
        return 1;
    case ValueType::kU16:
    case ValueType::kI16:
        return 2;
    case ValueType::kU32:
    case ValueType::kI32:
    case ValueType::kF32:
        return 4;
    case ValueType::kU64:
    case ValueType::kI64:
    case ValueType::kF64:
        return 8;
    case ValueType::kString:
    case ValueType::kArray:
        return 0;
    }
    return 0;
}

bool known_value_type(uint32_t raw) {
    return raw <= static_cast<uint32_t>(ValueType::kF64);
}

bool is_integer(ValueType t) {
    return t == ValueType::kU8 || t == ValueType::kI8 || t == ValueType::kU16 ||
           t == ValueType::kI16 || t == ValueType::kU32 || t == ValueType::kI32 ||
           t == ValueType::kU64 || t == ValueType::kI64;
}

// Reads little-endian values and refuses to pass the end of the bytes.
class Cursor {
  public:
    explicit Cursor(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    size_t position() const { return position_; }
    uint64_t remaining() const { return bytes_.size() - position_; }

    template <typename T> bool read(T* out) {
        if (remaining() < sizeof(T)) return false;
        std::memcpy(out, bytes_.data() + position_, sizeof(T));
        position_ += sizeof(T);
        return true;
    }

    bool skip(uint64_t n) {
        if (remaining() < n) return false;
        position_ += static_cast<size_t>(n);
        return true;
    }

    // A GGUF string: u64 length, then that many bytes of UTF-8.
    Status read_string(std::string_view what, std::string_view* out) {
        size_t at = position_;
        uint64_t length = 0;
        if (!read(&length))
            return corrupt(at, "file ends inside the length of " + std::string(what));
        if (length > kMaxStringBytes) {
            return corrupt(at, std::string(what) + " claims " + std::to_string(length) +
                                   " bytes; more than the limit of " +
                                   std::to_string(kMaxStringBytes));
        }
        if (length > remaining()) {
            return corrupt(at, std::string(what) + " claims " + std::to_string(length) +
                                   " bytes but only " + std::to_string(remaining()) +
                                   " are left; the file is probably truncated");
        }
        std::string_view s(reinterpret_cast<const char*>(bytes_.data() + position_),
                           static_cast<size_t>(length));
        if (!valid_utf8(s)) return corrupt(at, std::string(what) + " is not valid UTF-8");
        position_ += static_cast<size_t>(length);
        *out = s;
        return {};
    }

  private:
    std::span<const uint8_t> bytes_;
    size_t position_ = 0;
};

Status read_value(Cursor& cursor, KeyValue& kv) {
    size_t at = cursor.position();
    std::string what = "value of '" + std::string(kv.key) + "'";
    if (kv.type == ValueType::kString) {
        kv.offset = at;
        std::string_view ignored;
        return cursor.read_string(what, &ignored);
    }
    if (kv.type != ValueType::kArray) {
        kv.offset = at;
        if (!cursor.skip(scalar_size(kv.type))) {
            return corrupt(at, "file ends inside the " + what);
        }
        return {};
    }
    uint32_t element_raw = 0;
    if (!cursor.read(&element_raw) || !cursor.read(&kv.count)) {
        return corrupt(at, "file ends inside the array header of '" + std::string(kv.key) + "'");
    }
    if (!known_value_type(element_raw)) {
        return corrupt(at, "array '" + std::string(kv.key) + "' has unknown element type " +
                               std::to_string(element_raw));
    }
    kv.element_type = static_cast<ValueType>(element_raw);
    if (kv.element_type == ValueType::kArray) {
        return corrupt(at, "array '" + std::string(kv.key) +
                               "' holds arrays; nested arrays are not supported");
    }
    kv.offset = cursor.position();
    if (kv.element_type == ValueType::kString) {
        // Each string has at least its 8-byte length.
        if (kv.count > cursor.remaining() / 8) {
            return corrupt(at, "array '" + std::string(kv.key) + "' claims " +
                                   std::to_string(kv.count) + " strings, more than the file holds");
        }
        for (uint64_t i = 0; i < kv.count; ++i) {
            std::string_view ignored;
            EDGEAI_TRY(cursor.read_string(
                "element " + std::to_string(i) + " of '" + std::string(kv.key) + "'", &ignored));
        }
        return {};
    }
    uint64_t element_size = scalar_size(kv.element_type);
    if (kv.count > cursor.remaining() / element_size) {
        return corrupt(at, "array '" + std::string(kv.key) + "' claims " +
                               std::to_string(kv.count) + " elements of " +
                               std::to_string(element_size) + " bytes but only " +
                               std::to_string(cursor.remaining()) + " bytes are left");
    }
    cursor.skip(kv.count * element_size);
    return {};
}

Status read_tensor_info(Cursor& cursor, TensorInfo& t) {
    size_t at = cursor.position();
    EDGEAI_TRY(cursor.read_string("a tensor name", &t.name));
    if (t.name.empty() || t.name.size() >= kMaxTensorNameBytes) {
        return corrupt(at, "tensor name '" + std::string(t.name) + "' must have 1 to " +
                               std::to_string(kMaxTensorNameBytes - 1) + " bytes");
    }
    std::string name = "tensor '" + std::string(t.name) + "'";
    if (!cursor.read(&t.n_dims)) return corrupt(at, "file ends inside " + name);
    if (t.n_dims == 0 || t.n_dims > kMaxDims) {
        return corrupt(at, name + " has " + std::to_string(t.n_dims) +
                               " dimensions; expected 1 to " + std::to_string(kMaxDims));
    }
    t.n_elements = 1;
    for (uint32_t d = 0; d < t.n_dims; ++d) {
        if (!cursor.read(&t.dims[d])) return corrupt(at, "file ends inside " + name);
        if (t.dims[d] == 0 || t.dims[d] > (uint64_t{1} << 62) / t.n_elements) {
            return corrupt(at, name + " has an invalid shape (dimension " + std::to_string(d) +
                                   " is " + std::to_string(t.dims[d]) + ")");
        }
        t.n_elements *= t.dims[d];
    }
    uint32_t type_raw = 0;
    if (!cursor.read(&type_raw) || !cursor.read(&t.offset)) {
        return corrupt(at, "file ends inside " + name);
    }
    t.type = find_tensor_type(type_raw);
    if (t.type == nullptr) {
        return corrupt(at, name + " has tensor type " + std::to_string(type_raw) +
                               ", which this build does not support");
    }
    if (t.dims[0] % t.type->block_values != 0) {
        return corrupt(at, name + " rows have " + std::to_string(t.dims[0]) + " values, not a " +
                               "multiple of the " + std::string(t.type->name) + " block of " +
                               std::to_string(t.type->block_values));
    }
    t.size = t.n_elements / t.type->block_values * t.type->block_bytes;
    return {};
}

} // namespace

std::string_view value_type_name(ValueType type) {
    switch (type) {
    case ValueType::kU8:
        return "u8";
    case ValueType::kI8:
        return "i8";
    case ValueType::kU16:
        return "u16";
    case ValueType::kI16:
        return "i16";
    case ValueType::kU32:
        return "u32";
    case ValueType::kI32:
        return "i32";
    case ValueType::kF32:
        return "f32";
    case ValueType::kBool:
        return "bool";
    case ValueType::kString:
        return "string";
    case ValueType::kArray:
        return "array";
    case ValueType::kU64:
        return "u64";
    case ValueType::kI64:
        return "i64";
    case ValueType::kF64:
        return "f64";
    }
    return "unknown";
}

core::Result<GgufFile> GgufFile::parse(std::span<const uint8_t> bytes) {
    GgufFile file;
    file.bytes_ = bytes;
    Cursor cursor(bytes);
    uint32_t magic = 0;
    if (!cursor.read(&magic)) return corrupt(0, "file is too short to be GGUF");
    if (magic != kMagic) {
        if (magic == 0x47475546) {
            return corrupt(0, "magic is 'FUGG': a big-endian GGUF, which is not supported");
        }
        return corrupt(0, "bad magic: expected 'GGUF'; this is not a GGUF model file");
    }
    if (!cursor.read(&file.version_)) return corrupt(4, "file ends inside the version");
    if (file.version_ == 1) {
        return corrupt(4, "GGUF version 1 is not supported; convert the model again with a "
                          "current llama.cpp");
    }
    if (file.version_ != 2 && file.version_ != 3) {
        std::string hint = file.version_ > 0xFFFF ? " (a byte-swapped file?)" : "";
        return corrupt(4, "GGUF version " + std::to_string(file.version_) +
                              " is not supported; expected 2 or 3" + hint);
    }
    uint64_t n_tensors = 0;
    uint64_t n_kv = 0;
    if (!cursor.read(&n_tensors) || !cursor.read(&n_kv)) {
        return corrupt(cursor.position(), "file ends inside the header");
    }
    if (n_tensors > kMaxTensors || n_tensors > cursor.remaining() / kMinTensorInfoBytes) {
        return corrupt(8, "header claims " + std::to_string(n_tensors) +
                              " tensors, more than the file could describe");
    }
    if (n_kv > kMaxKeyValues || n_kv > cursor.remaining() / kMinKeyValueBytes) {
        return corrupt(16, "header claims " + std::to_string(n_kv) +
                               " metadata entries, more than the file could hold");
    }

    file.kvs_.reserve(static_cast<size_t>(n_kv));
    for (uint64_t i = 0; i < n_kv; ++i) {
        KeyValue kv;
        size_t at = cursor.position();
        EDGEAI_TRY(cursor.read_string("metadata key " + std::to_string(i), &kv.key));
        if (kv.key.empty()) return corrupt(at, "metadata key " + std::to_string(i) + " is empty");
        uint32_t type_raw = 0;
        if (!cursor.read(&type_raw)) return corrupt(at, "file ends inside metadata");
        if (!known_value_type(type_raw)) {
            return corrupt(at, "metadata '" + std::string(kv.key) + "' has unknown type " +
                                   std::to_string(type_raw));
        }
        kv.type = static_cast<ValueType>(type_raw);
        EDGEAI_TRY(read_value(cursor, kv));
        kv.end = cursor.position();
        file.kvs_.push_back(kv);
    }

    // Duplicates by sorting, not by a lookup per key: a hostile file may hold a
    // million keys.
    std::vector<std::string_view> keys;
    keys.reserve(file.kvs_.size());
    for (const KeyValue& kv : file.kvs_)
        keys.push_back(kv.key);
    std::sort(keys.begin(), keys.end());
    auto dup_key = std::adjacent_find(keys.begin(), keys.end());
    if (dup_key != keys.end()) {
        return corrupt(0, "metadata key '" + std::string(*dup_key) + "' appears twice");
    }

    if (const KeyValue* a = file.find("general.alignment")) {
        auto alignment = file.get_uint("general.alignment");
        if (a->type != ValueType::kU32 || !alignment.ok() || *alignment == 0 ||
            (*alignment & (*alignment - 1)) != 0) {
            return corrupt(a->offset, "general.alignment must be a u32 power of two");
        }
        file.alignment_ = *alignment;
    }

    file.tensors_.resize(static_cast<size_t>(n_tensors));
    for (uint64_t i = 0; i < n_tensors; ++i) {
        EDGEAI_TRY(read_tensor_info(cursor, file.tensors_[static_cast<size_t>(i)]));
    }
    uint64_t data_offset =
        (cursor.position() + file.alignment_ - 1) / file.alignment_ * file.alignment_;
    if (n_tensors > 0 && data_offset > bytes.size()) {
        return corrupt(cursor.position(), "file ends before its tensor data starts");
    }
    file.data_offset_ = data_offset;

    // Every tensor lies inside the file, aligned, and no two overlap.
    std::vector<const TensorInfo*> by_offset;
    by_offset.reserve(file.tensors_.size());
    for (TensorInfo& t : file.tensors_) {
        std::string name = "tensor '" + std::string(t.name) + "'";
        if (t.offset % file.alignment_ != 0) {
            return corrupt(data_offset, name + " starts at data offset " +
                                            std::to_string(t.offset) + ", not a multiple of " +
                                            std::to_string(file.alignment_));
        }
        uint64_t room = bytes.size() - data_offset;
        if (t.offset > room || t.size > room - t.offset) {
            return corrupt(data_offset,
                           name + " ends at byte " +
                               std::to_string(data_offset + t.offset + t.size) +
                               " but the file has " + std::to_string(bytes.size()) +
                               " bytes; the file is probably truncated, download it again");
        }
        t.offset += data_offset;
        by_offset.push_back(&t);
    }
    std::sort(by_offset.begin(), by_offset.end(),
              [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const TensorInfo& prev = *by_offset[i - 1];
        const TensorInfo& next = *by_offset[i];
        if (next.offset < prev.offset + prev.size) {
            return corrupt(next.offset, "tensor '" + std::string(next.name) +
                                            "' overlaps tensor '" + std::string(prev.name) + "'");
        }
    }
    std::vector<std::string_view> names;
    names.reserve(file.tensors_.size());
    for (const TensorInfo& t : file.tensors_)
        names.push_back(t.name);
    std::sort(names.begin(), names.end());
    auto dup = std::adjacent_find(names.begin(), names.end());
    if (dup != names.end()) {
        return corrupt(0, "tensor name '" + std::string(*dup) + "' appears twice");
    }
    return file;
}

const KeyValue* GgufFile::find(std::string_view key) const {
    for (const KeyValue& kv : kvs_) {
        if (kv.key == key) return &kv;
    }
    return nullptr;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
    for (const TensorInfo& t : tensors_) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

core::Result<const KeyValue*> GgufFile::require(std::string_view key, ValueType type) const {
    const KeyValue* kv = find(key);
    if (kv == nullptr) return core::not_found("gguf: the model has no '" + std::string(key) + "'");
    if (kv->type != type) {
        return core::invalid_argument("gguf: '" + std::string(key) + "' is " +
                                      std::string(value_type_name(kv->type)) + ", expected " +
                                      std::string(value_type_name(type)));
    }
    return kv;
}

core::Result<const KeyValue*> GgufFile::require_array(std::string_view key) const {
    return require(key, ValueType::kArray);
}

namespace {

template <typename T> T load(std::span<const uint8_t> bytes, size_t at) {
    T v;
    std::memcpy(&v, bytes.data() + at, sizeof(T));
    return v;
}

// An integer element of any width as int64 (u64 above INT64_MAX is refused by callers).
bool load_integer(std::span<const uint8_t> bytes, size_t at, ValueType t, int64_t* out,
                  bool* too_big) {
    *too_big = false;
    switch (t) {
    case ValueType::kU8:
        *out = load<uint8_t>(bytes, at);
        return true;
    case ValueType::kI8:
        *out = load<int8_t>(bytes, at);
        return true;
    case ValueType::kU16:
        *out = load<uint16_t>(bytes, at);
        return true;
    case ValueType::kI16:
        *out = load<int16_t>(bytes, at);
        return true;
    case ValueType::kU32:
        *out = load<uint32_t>(bytes, at);
        return true;
    case ValueType::kI32:
        *out = load<int32_t>(bytes, at);
        return true;
    case ValueType::kI64:
        *out = load<int64_t>(bytes, at);
        return true;
    case ValueType::kU64: {
        uint64_t v = load<uint64_t>(bytes, at);
        *too_big = v > static_cast<uint64_t>(INT64_MAX);
        *out = static_cast<int64_t>(v);
        return true;
    }
    default:
        return false;
    }
}

std::string_view load_string(std::span<const uint8_t> bytes, size_t at, size_t* next) {
    uint64_t length = load<uint64_t>(bytes, at);
    *next = at + 8 + static_cast<size_t>(length);
    return {reinterpret_cast<const char*>(bytes.data() + at + 8), static_cast<size_t>(length)};
}

} // namespace

core::Result<std::string_view> GgufFile::get_string(std::string_view key) const {
    EDGEAI_ASSIGN_OR_RETURN(const KeyValue* kv, require(key, ValueType::kString));
    size_t next = 0;
    return load_string(bytes_, kv->offset, &next);
}

core::Result<int64_t> GgufFile::get_int(std::string_view key) const {
    const KeyValue* kv = find(key);
    if (kv == nullptr) return core::not_found("gguf: the model has no '" + std::string(key) + "'");
    int64_t v = 0;
    bool too_big = false;
    if (!is_integer(kv->type) || !load_integer(bytes_, kv->offset, kv->type, &v, &too_big) ||
        too_big) {
        return core::invalid_argument("gguf: '" + std::string(key) + "' is " +
                                      std::string(value_type_name(kv->type)) +
                                      ", expected an integer that fits 64 bits");
    }
    return v;
}

core::Result<uint64_t> GgufFile::get_uint(std::string_view key) const {
    const KeyValue* kv = find(key);
    if (kv != nullptr && kv->type == ValueType::kU64) return load<uint64_t>(bytes_, kv->offset);
    EDGEAI_ASSIGN_OR_RETURN(int64_t v, get_int(key));
    if (v < 0) {
        return core::invalid_argument("gguf: '" + std::string(key) + "' is negative (" +
                                      std::to_string(v) + "), expected a count");
    }
    return static_cast<uint64_t>(v);
}

core::Result<double> GgufFile::get_float(std::string_view key) const {
    const KeyValue* kv = find(key);
    if (kv != nullptr && kv->type == ValueType::kF32)
        return double{load<float>(bytes_, kv->offset)};
    if (kv != nullptr && kv->type == ValueType::kF64) return load<double>(bytes_, kv->offset);
    EDGEAI_ASSIGN_OR_RETURN(int64_t v, get_int(key));
    return static_cast<double>(v);
}

core::Result<bool> GgufFile::get_bool(std::string_view key) const {
    EDGEAI_ASSIGN_OR_RETURN(const KeyValue* kv, require(key, ValueType::kBool));
    return load<uint8_t>(bytes_, kv->offset) != 0;
}

core::Result<std::vector<std::string_view>> GgufFile::get_string_array(std::string_view key) const {
    EDGEAI_ASSIGN_OR_RETURN(const KeyValue* kv, require_array(key));
    if (kv->element_type != ValueType::kString) {
        return core::invalid_argument("gguf: '" + std::string(key) + "' is an array of " +
                                      std::string(value_type_name(kv->element_type)) +
                                      ", expected strings");
    }
    std::vector<std::string_view> out;
    out.reserve(static_cast<size_t>(kv->count)); // bounded by parse(): 8 bytes per string
    size_t at = kv->offset;
    for (uint64_t i = 0; i < kv->count; ++i)
        out.push_back(load_string(bytes_, at, &at));
    return out;
}

core::Result<std::vector<double>> GgufFile::get_float_array(std::string_view key) const {
    EDGEAI_ASSIGN_OR_RETURN(const KeyValue* kv, require_array(key));
    std::vector<double> out;
    out.reserve(static_cast<size_t>(kv->count));
    uint64_t size = scalar_size(kv->element_type);
    for (uint64_t i = 0; i < kv->count; ++i) {
        size_t at = kv->offset + static_cast<size_t>(i * size);
        if (kv->element_type == ValueType::kF32) {
            out.push_back(load<float>(bytes_, at));
        } else if (kv->element_type == ValueType::kF64) {
            out.push_back(load<double>(bytes_, at));
        } else {
            int64_t v = 0;
            bool too_big = false;
            if (!load_integer(bytes_, at, kv->element_type, &v, &too_big)) {
                return core::invalid_argument("gguf: '" + std::string(key) + "' is an array of " +
                                              std::string(value_type_name(kv->element_type)) +
                                              ", expected numbers");
            }
            out.push_back(static_cast<double>(v));
        }
    }
    return out;
}

core::Result<std::vector<int64_t>> GgufFile::get_int_array(std::string_view key) const {
    EDGEAI_ASSIGN_OR_RETURN(const KeyValue* kv, require_array(key));
    std::vector<int64_t> out;
    out.reserve(static_cast<size_t>(kv->count));
    uint64_t size = scalar_size(kv->element_type);
    for (uint64_t i = 0; i < kv->count; ++i) {
        int64_t v = 0;
        bool too_big = false;
        if (!is_integer(kv->element_type) ||
            !load_integer(bytes_, kv->offset + static_cast<size_t>(i * size), kv->element_type, &v,
                          &too_big) ||
            too_big) {
            return core::invalid_argument("gguf: '" + std::string(key) + "' is an array of " +
                                          std::string(value_type_name(kv->element_type)) +
                                          ", expected integers");
        }
        out.push_back(v);
    }
    return out;
}

uint64_t value_type_size(ValueType type) {
    return scalar_size(type);
}

} // namespace edgeai::engine::gguf
