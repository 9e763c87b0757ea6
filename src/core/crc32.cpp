#include "core/crc32.h"

#include <array>

namespace edgeai::core {
namespace {

constexpr std::array<uint32_t, 256> make_table() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit)
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

// 1 KiB computed by the compiler: a byte at a time is fast enough for links
// that carry at most a few MB/s, and small enough for any target.
constexpr std::array<uint32_t, 256> kTable = make_table();

} // namespace

uint32_t crc32(std::string_view bytes, uint32_t crc) {
    crc = ~crc;
    for (const char ch : bytes)
        crc = kTable[(crc ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

} // namespace edgeai::core
