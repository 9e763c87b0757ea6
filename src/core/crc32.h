// CRC-32 as zlib and Ethernet compute it (the IEEE polynomial, reflected,
// 0xEDB88320, initial value and final xor 0xFFFFFFFF): the check value of
// the frame protocol, so a device can use its zlib or its hardware CRC unit.
#pragma once

#include <cstdint>
#include <string_view>

namespace edgeai::core {

// crc32("123456789") == 0xCBF43926. `crc` continues a running value: pass
// the previous result to checksum bytes that arrive in pieces.
uint32_t crc32(std::string_view bytes, uint32_t crc = 0);

} // namespace edgeai::core
