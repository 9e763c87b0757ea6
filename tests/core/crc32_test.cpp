#include "core/crc32.h"

#include <gtest/gtest.h>

namespace edgeai::core {
namespace {

TEST(Crc32, MatchesTheCheckValueOfTheIeeePolynomial) {
    // The catalogue's check value for CRC-32/ISO-HDLC (zlib's crc32).
    EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
    EXPECT_EQ(crc32(""), 0u);
    EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

TEST(Crc32, ContinuesARunningValueOverPieces) {
    const std::string_view text = "edge devices speak frames";
    for (size_t cut = 0; cut <= text.size(); ++cut)
        EXPECT_EQ(crc32(text.substr(cut), crc32(text.substr(0, cut))), crc32(text)) << cut;
}

} // namespace
} // namespace edgeai::core
