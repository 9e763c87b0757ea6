#include "codec/msgpack/msgpack_reader.h"

#include <cstring>
#include <string>

namespace edgeai::codec {
namespace {

core::Status malformed(size_t at, const std::string& what) {
    return core::invalid_argument("malformed MessagePack at byte " + std::to_string(at) + ": " +
                                  what);
}

} // namespace

core::Result<MsgpackTimestamp> decode_timestamp(const MsgpackItem& ext) {
    if (ext.type != MsgpackType::kExt || ext.ext_type != -1)
        return core::invalid_argument("not a MessagePack timestamp (extension type -1)");
    const auto* p = reinterpret_cast<const uint8_t*>(ext.bytes.data());
    auto be = [p](size_t from, int n) {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i)
            v = (v << 8) | p[from + static_cast<size_t>(i)];
        return v;
    };
    MsgpackTimestamp t;
    switch (ext.bytes.size()) {
    case 4:
        t.seconds = static_cast<int64_t>(be(0, 4));
        break;
    case 8: {
        const uint64_t packed = be(0, 8);
        t.nanoseconds = static_cast<uint32_t>(packed >> 34);
        t.seconds = static_cast<int64_t>(packed & 0x3ffffffffull);
        break;
    }
    case 12:
        t.nanoseconds = static_cast<uint32_t>(be(0, 4));
        t.seconds = static_cast<int64_t>(be(4, 8));
        break;
    default:
        return core::invalid_argument("a MessagePack timestamp has 4, 8 or 12 bytes, not " +
                                      std::to_string(ext.bytes.size()));
    }
    if (t.nanoseconds > 999999999u)
        return core::invalid_argument("a MessagePack timestamp's nanoseconds exceed 999999999");
    return t;
}

MsgpackReader::MsgpackReader(std::string_view input, MsgpackLimits limits)
    : input_(input), limits_(limits) {}

core::Status MsgpackReader::fail(core::Status st) {
    error_ = st;
    return st;
}

bool MsgpackReader::take(size_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = input_.substr(at_, n);
    at_ += n;
    return true;
}

bool MsgpackReader::read_be(int bytes, uint64_t* out) {
    std::string_view raw;
    if (!take(static_cast<size_t>(bytes), &raw)) return false;
    uint64_t v = 0;
    for (char c : raw)
        v = (v << 8) | static_cast<uint8_t>(c);
    *out = v;
    return true;
}

core::Status MsgpackReader::next(MsgpackItem& out) {
    if (!error_.ok()) return error_;
    if (!started_ && input_.size() > limits_.max_bytes)
        return fail(core::resource_exhausted(
            "MessagePack input of " + std::to_string(input_.size()) +
            " bytes is larger than the limit of " + std::to_string(limits_.max_bytes)));
    if (value_done()) return fail(core::failed_precondition("the MessagePack value is complete"));
    started_ = true;
    const size_t item_at = at_;
    if (core::Status st = read_item(out); !st.ok()) return fail(st);
    // This item fills a place in the container around it...
    if (!stack_.empty()) --stack_.back();
    // ...and a container opens a level of its own until its elements are read.
    if (out.type == MsgpackType::kArray || out.type == MsgpackType::kMap) {
        const uint64_t items = uint64_t{out.count} * (out.type == MsgpackType::kMap ? 2 : 1);
        // Every element takes at least one byte.
        if (items > remaining())
            return fail(malformed(
                item_at, std::string(out.type == MsgpackType::kMap ? "a map of " : "an array of ") +
                             std::to_string(out.count) +
                             (out.type == MsgpackType::kMap ? " pairs" : " elements") + " with " +
                             std::to_string(remaining()) + " bytes left"));
        if (items > 0) {
            if (stack_.size() >= limits_.max_depth)
                return fail(core::resource_exhausted("MessagePack nested deeper than " +
                                                     std::to_string(limits_.max_depth) +
                                                     " levels at byte " + std::to_string(item_at)));
            stack_.push_back(items);
        }
    }
    while (!stack_.empty() && stack_.back() == 0)
        stack_.pop_back();
    return {};
}

core::Status MsgpackReader::skip_value(MsgpackItem& first) {
    // A container's last element closes it and maybe the ones around it, so
    // the depth falls back to where it was, or below.
    const size_t depth = stack_.size();
    if (core::Status st = next(first); !st.ok()) return st;
    MsgpackItem item;
    while (stack_.size() > depth)
        if (core::Status st = next(item); !st.ok()) return st;
    return {};
}

core::Status MsgpackReader::read_item(MsgpackItem& out) {
    out = MsgpackItem{};
    const size_t item_at = at_;
    std::string_view lead;
    if (!take(1, &lead)) return malformed(item_at, "the input ends before a value");
    const auto b = static_cast<uint8_t>(lead[0]);
    auto cut = [&] { return malformed(item_at, "the input ends inside a value"); };
    auto sized = [&](MsgpackType type, int len_bytes) -> core::Status {
        uint64_t n = 0;
        if (!read_be(len_bytes, &n)) return cut();
        out.type = type;
        if (!take(static_cast<size_t>(n), &out.bytes))
            return malformed(item_at, "a length of " + std::to_string(n) + " with " +
                                          std::to_string(remaining()) + " bytes left");
        return {};
    };
    auto container = [&](MsgpackType type, int len_bytes) -> core::Status {
        uint64_t n = 0;
        if (!read_be(len_bytes, &n)) return cut();
        out.type = type;
        out.count = static_cast<uint32_t>(n);
        return {};
    };
    auto ext = [&](int len_bytes, size_t fixed) -> core::Status {
        uint64_t n = fixed;
        if (len_bytes > 0 && !read_be(len_bytes, &n)) return cut();
        std::string_view type;
        if (!take(1, &type)) return cut();
        out.type = MsgpackType::kExt;
        out.ext_type = static_cast<int8_t>(static_cast<uint8_t>(type[0]));
        if (!take(static_cast<size_t>(n), &out.bytes))
            return malformed(item_at, "an extension of " + std::to_string(n) + " bytes with " +
                                          std::to_string(remaining()) + " bytes left");
        return {};
    };
    if (b <= 0x7f) {
        out.type = MsgpackType::kUint;
        out.u = b;
        return {};
    }
    if (b >= 0xe0) {
        out.type = MsgpackType::kInt;
        out.i = static_cast<int8_t>(b);
        return {};
    }
    if ((b & 0xf0) == 0x80) {
        out.type = MsgpackType::kMap;
        out.count = b & 0x0f;
        return {};
    }
    if ((b & 0xf0) == 0x90) {
        out.type = MsgpackType::kArray;
        out.count = b & 0x0f;
        return {};
    }
    if ((b & 0xe0) == 0xa0) {
        out.type = MsgpackType::kStr;
        if (!take(b & 0x1f, &out.bytes)) return cut();
        return {};
    }
    uint64_t v = 0;
    switch (b) {
    case 0xc0:
        out.type = MsgpackType::kNil;
        return {};
    case 0xc2:
    case 0xc3:
        out.type = MsgpackType::kBool;
        out.boolean = b == 0xc3;
        return {};
    case 0xc4:
        return sized(MsgpackType::kBin, 1);
    case 0xc5:
        return sized(MsgpackType::kBin, 2);
    case 0xc6:
        return sized(MsgpackType::kBin, 4);
    case 0xc7:
        return ext(1, 0);
    case 0xc8:
        return ext(2, 0);
    case 0xc9:
        return ext(4, 0);
    case 0xca: {
        if (!read_be(4, &v)) return cut();
        const auto bits = static_cast<uint32_t>(v);
        float f;
        std::memcpy(&f, &bits, 4);
        out.type = MsgpackType::kFloat32;
        out.f = f;
        return {};
    }
    case 0xcb: {
        if (!read_be(8, &v)) return cut();
        std::memcpy(&out.f, &v, 8);
        out.type = MsgpackType::kFloat64;
        return {};
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        if (!read_be(1 << (b - 0xcc), &v)) return cut();
        out.type = MsgpackType::kUint;
        out.u = v;
        return {};
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
        const int n = 1 << (b - 0xd0);
        if (!read_be(n, &v)) return cut();
        // Sign-extend from n bytes.
        const int shift = 64 - 8 * n;
        const auto signed_v = static_cast<int64_t>(v << shift) >> shift;
        if (signed_v >= 0) {
            out.type = MsgpackType::kUint;
            out.u = static_cast<uint64_t>(signed_v);
        } else {
            out.type = MsgpackType::kInt;
            out.i = signed_v;
        }
        return {};
    }
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
        return ext(0, size_t{1} << (b - 0xd4));
    case 0xd9:
        return sized(MsgpackType::kStr, 1);
    case 0xda:
        return sized(MsgpackType::kStr, 2);
    case 0xdb:
        return sized(MsgpackType::kStr, 4);
    case 0xdc:
        return container(MsgpackType::kArray, 2);
    case 0xdd:
        return container(MsgpackType::kArray, 4);
    case 0xde:
        return container(MsgpackType::kMap, 2);
    case 0xdf:
        return container(MsgpackType::kMap, 4);
    default: // 0xc1 is never used
        return malformed(item_at, "byte 0xc1 is not a MessagePack type");
    }
}

} // namespace edgeai::codec
