// MessagePack decoder: a pull reader over a byte span that hands out one item
// at a time (a scalar, or a container's header with its element count, its
// elements following as the next items). Outside bytes are hostile: every
// length is checked against the bytes left before it is used, a container
// may not declare more elements than bytes remain, nesting is bounded, and
// the reader stops at the first error with the offset where it happened.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace edgeai::codec {

struct MsgpackLimits {
    uint32_t max_depth = 64;             // containers inside containers
    size_t max_bytes = 64 * 1024 * 1024; // the whole input
};

enum class MsgpackType : uint8_t {
    kNil,
    kBool,
    kInt,  // negative: `i`
    kUint, // non-negative: `u`
    kFloat32,
    kFloat64,
    kStr,
    kBin,
    kArray, // `count` elements follow
    kMap,   // `count` key/value pairs follow
    kExt,
};

struct MsgpackItem {
    MsgpackType type = MsgpackType::kNil;
    bool boolean = false;
    int64_t i = 0;
    uint64_t u = 0;
    double f = 0;           // float32 widened exactly
    std::string_view bytes; // str, bin, ext data: views into the input
    uint32_t count = 0;
    int8_t ext_type = 0;
};

struct MsgpackTimestamp {
    int64_t seconds = 0;
    uint32_t nanoseconds = 0;
};

// The timestamp extension (type -1, 4, 8 or 12 bytes); InvalidArgument for
// any other extension or a nanosecond field past 999999999.
core::Result<MsgpackTimestamp> decode_timestamp(const MsgpackItem& ext);

class MsgpackReader {
  public:
    explicit MsgpackReader(std::string_view input, MsgpackLimits limits = {});

    // The next item of the current value. InvalidArgument for malformed or
    // truncated input (the message names the offset), ResourceExhausted past a
    // limit; after an error every call returns it again.
    core::Status next(MsgpackItem& out);
    // The next whole value: its first item in `first` (a container's
    // header), everything inside it read past.
    core::Status skip_value(MsgpackItem& first);
    // Whether one whole value (a scalar, or a container and everything in it)
    // has been read.
    bool value_done() const { return started_ && stack_.empty(); }
    // Containers open around the next item (0 at the top level).
    size_t depth() const { return stack_.size(); }
    // Bytes consumed so far.
    size_t offset() const { return at_; }
    size_t remaining() const { return input_.size() - at_; }

  private:
    core::Status fail(core::Status st);
    core::Status read_item(MsgpackItem& out);
    bool take(size_t n, std::string_view* out);
    bool read_be(int bytes, uint64_t* out);

    std::string_view input_;
    MsgpackLimits limits_;
    size_t at_ = 0;
    bool started_ = false;
    core::Status error_;
    // Items still to come in each open container (a map's pairs count twice).
    std::vector<uint64_t> stack_;
};

} // namespace edgeai::codec
