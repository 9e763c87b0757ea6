// MessagePack and JSON, both ways, for the values both can hold: a client
// that speaks MessagePack gets the same API as one that speaks JSON, with the
// body translated once at the edge (api/). JSON -> MessagePack -> JSON gives
// the same value back, and so does MessagePack -> JSON -> MessagePack for any
// MessagePack value without bin, ext, non-string map keys, or a float that
// JSON cannot write (NaN, infinities).
#pragma once

#include "codec/json/json_document.h"
#include "codec/msgpack/msgpack_reader.h"
#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::codec {

struct MsgpackToJsonOptions {
    MsgpackLimits limits;
    // false (the API): bin, ext, non-string keys and NaN/infinite floats are
    // refused, naming where they are. true (`edgeai msgpack decode`, for
    // people reading a device's bytes): they are written as tagged objects,
    // {"$bin": base64}, {"$ext": type, "data": base64}, {"$timestamp":
    // {"seconds": s, "nanoseconds": n}}, {"$float": "nan"}, and keys as their
    // JSON text.
    bool tag_other_types = false;
};

// One MessagePack value (the whole input) as JSON text. Strings must be
// valid UTF-8, as JSON text must.
core::Result<std::string> msgpack_to_json(std::string_view msgpack,
                                          const MsgpackToJsonOptions& options = {});

// JSON text as one MessagePack value: integral numbers in the smallest
// integer form, other numbers as float64 (correctly rounded from the text, so
// no digit is lost), strings as str. Straight from the text, no tree.
struct JsonToMsgpackOptions {
    JsonLimits limits;
    // Arrays that are the value of a member with this name hold float32s
    // (every number in them, whole or not): embedding vectors, which are
    // float32 where they are made, in half the bytes of float64.
    std::string_view float32_arrays_of;
};
core::Result<std::string> json_to_msgpack(std::string_view json,
                                          const JsonToMsgpackOptions& options = {});

} // namespace edgeai::codec
