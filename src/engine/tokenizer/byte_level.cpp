#include "engine/tokenizer/byte_level.h"

#include <array>

namespace edgeai::engine::tokenizer {

namespace {

constexpr bool maps_to_itself(uint32_t byte) {
    return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) ||
           (byte >= 0xAE && byte <= 0xFF);
}

constexpr std::array<uint16_t, 256> byte_code_points() {
    std::array<uint16_t, 256> table{};
    uint16_t next = 0x100;
    for (uint32_t b = 0; b < 256; ++b)
        table[b] = maps_to_itself(b) ? static_cast<uint16_t>(b) : next++;
    return table;
}

constexpr std::array<uint16_t, 256> kByteCodePoints = byte_code_points();
// The 68 bytes that do not map to themselves take U+0100..U+0143.
constexpr uint32_t kShiftedEnd = 0x100 + 68;

constexpr std::array<uint8_t, 68> shifted_bytes() {
    std::array<uint8_t, 68> table{};
    for (uint32_t b = 0; b < 256; ++b) {
        if (!maps_to_itself(b)) table[kByteCodePoints[b] - 0x100] = static_cast<uint8_t>(b);
    }
    return table;
}

constexpr std::array<uint8_t, 68> kShiftedBytes = shifted_bytes();

} // namespace

uint32_t byte_to_code_point(uint8_t byte) {
    return kByteCodePoints[byte];
}

int byte_from_code_point(uint32_t code_point) {
    if (code_point < 0x100) return maps_to_itself(code_point) ? static_cast<int>(code_point) : -1;
    if (code_point < kShiftedEnd) return kShiftedBytes[code_point - 0x100];
    return -1;
}

void append_utf8(uint32_t code_point, std::string& out) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

} // namespace edgeai::engine::tokenizer
