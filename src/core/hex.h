// Hex encoding, the one place for it: digests, keys, ids, escapes in JSON
// and tokenizer byte pieces. Lower case unless a format says otherwise
// (percent-encoding and SentencePiece's "<0x0A>" byte tokens are upper case).
//
// Each form takes bytes as a string_view or as a span of uint8_t, so a
// Sha256Digest (an std::array<uint8_t, 32>) passes as it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace edgeai::core {

inline constexpr char kHexDigitsLower[] = "0123456789abcdef";
inline constexpr char kHexDigitsUpper[] = "0123456789ABCDEF";

// The two digits of one byte at out[0] and out[1], for escapes written
// byte by byte (JSON's \u00XX, "%2F", "<0x0A>").
inline void write_hex_byte(uint8_t byte, char* out) {
    out[0] = kHexDigitsLower[byte >> 4];
    out[1] = kHexDigitsLower[byte & 0xF];
}
inline void write_hex_byte_upper(uint8_t byte, char* out) {
    out[0] = kHexDigitsUpper[byte >> 4];
    out[1] = kHexDigitsUpper[byte & 0xF];
}

// 2 * bytes.size() digits at `out`, no terminator: for writers that reserve
// the room first and fill it in place (the audit line).
// The value of one hex digit (either case); -1 for anything else.
inline int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void write_hex(std::span<const uint8_t> bytes, char* out);
void write_hex(std::string_view bytes, char* out);

void append_hex(std::string& out, std::span<const uint8_t> bytes);
void append_hex(std::string& out, std::string_view bytes);

std::string hex_encode(std::span<const uint8_t> bytes);
std::string hex_encode(std::string_view bytes);

} // namespace edgeai::core
