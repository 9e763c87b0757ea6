#include "engine/gguf/gguf_writer.h"

namespace edgeai::engine::gguf {

void append_gguf_string(std::string& out, std::string_view s) {
    append_le<uint64_t>(out, s.size());
    out.append(s);
}

void GgufWriter::key(std::string_view k, ValueType t) {
    append_gguf_string(kv_bytes_, k);
    append_le<uint32_t>(kv_bytes_, static_cast<uint32_t>(t));
    ++n_kv_;
}

GgufWriter& GgufWriter::add_u32(std::string_view k, uint32_t v) {
    key(k, ValueType::kU32);
    append_le(kv_bytes_, v);
    return *this;
}

GgufWriter& GgufWriter::add_i32(std::string_view k, int32_t v) {
    key(k, ValueType::kI32);
    append_le(kv_bytes_, v);
    return *this;
}

GgufWriter& GgufWriter::add_u64(std::string_view k, uint64_t v) {
    key(k, ValueType::kU64);
    append_le(kv_bytes_, v);
    return *this;
}

GgufWriter& GgufWriter::add_f32(std::string_view k, float v) {
    key(k, ValueType::kF32);
    append_le(kv_bytes_, v);
    return *this;
}

GgufWriter& GgufWriter::add_bool(std::string_view k, bool v) {
    key(k, ValueType::kBool);
    append_le<uint8_t>(kv_bytes_, v ? 1 : 0);
    return *this;
}

GgufWriter& GgufWriter::add_string(std::string_view k, std::string_view v) {
    key(k, ValueType::kString);
    append_gguf_string(kv_bytes_, v);
    return *this;
}

GgufWriter& GgufWriter::add_string_array(std::string_view k, const std::vector<std::string>& v) {
    key(k, ValueType::kArray);
    append_le<uint32_t>(kv_bytes_, static_cast<uint32_t>(ValueType::kString));
    append_le<uint64_t>(kv_bytes_, v.size());
    for (const std::string& s : v)
        append_gguf_string(kv_bytes_, s);
    return *this;
}

GgufWriter& GgufWriter::add_f32_array(std::string_view k, const std::vector<float>& v) {
    key(k, ValueType::kArray);
    append_le<uint32_t>(kv_bytes_, static_cast<uint32_t>(ValueType::kF32));
    append_le<uint64_t>(kv_bytes_, v.size());
    for (float f : v)
        append_le(kv_bytes_, f);
    return *this;
}

GgufWriter& GgufWriter::add_i32_array(std::string_view k, const std::vector<int32_t>& v) {
    key(k, ValueType::kArray);
    append_le<uint32_t>(kv_bytes_, static_cast<uint32_t>(ValueType::kI32));
    append_le<uint64_t>(kv_bytes_, v.size());
    for (int32_t i : v)
        append_le(kv_bytes_, i);
    return *this;
}

GgufWriter& GgufWriter::copy_value(const GgufFile& file, const KeyValue& kv) {
    key(kv.key, kv.type);
    const auto* base = reinterpret_cast<const char*>(file.bytes().data());
    if (kv.type == ValueType::kString) {
        append_gguf_string(kv_bytes_, *file.get_string(kv.key));
    } else if (kv.type == ValueType::kArray) {
        append_le<uint32_t>(kv_bytes_, static_cast<uint32_t>(kv.element_type));
        append_le<uint64_t>(kv_bytes_, kv.count);
        if (kv.element_type == ValueType::kString) {
            // Held in a local: a range-for over *temporary would outlive it.
            const auto strings = file.get_string_array(kv.key);
            for (std::string_view s : *strings)
                append_gguf_string(kv_bytes_, s);
        } else {
            // parse() checked that count * size bytes lie inside the file.
            kv_bytes_.append(base + kv.offset,
                             static_cast<size_t>(kv.count * value_type_size(kv.element_type)));
        }
    } else {
        kv_bytes_.append(base + kv.offset, static_cast<size_t>(value_type_size(kv.type)));
    }
    return *this;
}

GgufWriter& GgufWriter::add_tensor(std::string_view name, const std::vector<uint64_t>& dims,
                                   TensorType type, std::string_view data) {
    tensors_.push_back({std::string(name), dims, type, data.size(), std::string(data)});
    return *this;
}

GgufWriter& GgufWriter::add_tensor_info(std::string_view name, const std::vector<uint64_t>& dims,
                                        TensorType type, uint64_t size) {
    tensors_.push_back({std::string(name), dims, type, size, std::string()});
    return *this;
}

std::string GgufWriter::header(uint64_t alignment) const {
    std::string out;
    out.append("GGUF");
    append_le<uint32_t>(out, 3);
    append_le<uint64_t>(out, tensors_.size());
    bool custom_alignment = alignment != kDefaultAlignment;
    append_le<uint64_t>(out, n_kv_ + (custom_alignment ? 1 : 0));
    out.append(kv_bytes_);
    if (custom_alignment) {
        append_gguf_string(out, "general.alignment");
        append_le<uint32_t>(out, static_cast<uint32_t>(ValueType::kU32));
        append_le<uint32_t>(out, static_cast<uint32_t>(alignment));
    }
    auto padded = [&](uint64_t n) { return (n + alignment - 1) / alignment * alignment; };
    uint64_t offset = 0;
    for (const Tensor& t : tensors_) {
        append_gguf_string(out, t.name);
        append_le<uint32_t>(out, static_cast<uint32_t>(t.dims.size()));
        for (uint64_t d : t.dims)
            append_le<uint64_t>(out, d);
        append_le<uint32_t>(out, static_cast<uint32_t>(t.type));
        append_le<uint64_t>(out, offset);
        offset = padded(offset + t.size);
    }
    out.resize(static_cast<size_t>(padded(out.size())), '\0');
    return out;
}

std::string GgufWriter::finish(uint64_t alignment) const {
    std::string out = header(alignment);
    auto padded = [&](uint64_t n) { return (n + alignment - 1) / alignment * alignment; };
    for (const Tensor& t : tensors_) {
        if (t.data.size() == t.size)
            out.append(t.data);
        else
            out.resize(out.size() + static_cast<size_t>(t.size), '\0');
        out.resize(static_cast<size_t>(padded(out.size())), '\0');
    }
    return out;
}

} // namespace edgeai::engine::gguf
