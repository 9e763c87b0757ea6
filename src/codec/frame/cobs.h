// Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): bytes
// rewritten so that none is zero, at a cost of one byte per 254 at most. A
// zero can then end each frame, and a reader that lost its place (line noise,
// a device reset mid-frame) finds the next frame at the next zero.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace edgeai::codec {

// The most bytes cobs_encode writes for `n` input bytes.
constexpr size_t cobs_max_encoded_size(size_t n) {
    return n + n / 254 + 1;
}

// Appends the encoding of `bytes` to `out` (no terminating zero).
void cobs_encode(std::string_view bytes, std::string& out);

// The bytes `encoded` stands for; InvalidArgument for a zero inside it or a
// block that runs past its end.
core::Result<std::string> cobs_decode(std::string_view encoded);

} // namespace edgeai::codec
