// UTF-8 decoding for the places that must judge text byte by byte (JSON output,
// configuration files, later tokenizers and streamed text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::core {

// Decodes the sequence starting at text[at]. Returns its length in bytes (1 to 4)
// and sets *code_point, or returns 0 when the bytes there are not valid UTF-8
// (bad lead or continuation byte, cut short, overlong, a surrogate, > U+10FFFF).
size_t decode_utf8(std::string_view text, size_t at, uint32_t* code_point);

// Appends the UTF-8 bytes of `code_point` (at most U+10FFFF).
void append_utf8(std::string& out, uint32_t code_point);

// Whether every byte of `text` belongs to a valid UTF-8 sequence.
bool is_valid_utf8(std::string_view text);

} // namespace edgeai::core
