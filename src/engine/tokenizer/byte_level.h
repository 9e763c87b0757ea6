// GPT-2's byte-level alphabet: every byte 0..255 stands for one printable code
// point, so byte-level BPE vocabularies can spell any byte sequence in UTF-8
// token texts. Bytes that are printable Latin-1 map to themselves; the other 68
// (controls, space, DEL, NBSP, soft hyphen...) map to U+0100.. in byte order.
#pragma once

#include <cstdint>
#include <string>

namespace edgeai::engine::tokenizer {

uint32_t byte_to_code_point(uint8_t byte);

// The byte a code point of the alphabet stands for, or -1 when it stands for none.
int byte_from_code_point(uint32_t code_point);

// Appends the UTF-8 form of a valid code point (<= U+10FFFF, not a surrogate).
void append_utf8(uint32_t code_point, std::string& out);

} // namespace edgeai::engine::tokenizer
