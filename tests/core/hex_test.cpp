#include "core/hex.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace edgeai::core {
namespace {

TEST(Hex, EncodesEveryByteValueInLowerCase) {
    std::string all;
    for (int b = 0; b < 256; ++b)
        all.push_back(static_cast<char>(b));
    const std::string hex = hex_encode(all);
    ASSERT_EQ(hex.size(), 512u);
    EXPECT_EQ(hex.substr(0, 8), "00010203");
    EXPECT_EQ(hex.substr(2 * 0x0A, 2), "0a");
    EXPECT_EQ(hex.substr(2 * 0x7F, 4), "7f80");
    EXPECT_EQ(hex.substr(508), "feff");
}

TEST(Hex, EmptyInputGivesEmptyOutput) {
    EXPECT_EQ(hex_encode(std::string_view()), "");
    std::string out = "x";
    append_hex(out, std::string_view());
    EXPECT_EQ(out, "x");
}

TEST(Hex, ByteSpansAndStringsGiveTheSameDigits) {
    const std::array<uint8_t, 4> bytes = {0xde, 0xad, 0xbe, 0xef};
    EXPECT_EQ(hex_encode(bytes), "deadbeef");
    EXPECT_EQ(hex_encode(std::string_view("\xde\xad\xbe\xef")), "deadbeef");
}

TEST(Hex, AppendKeepsWhatIsAlreadyThere) {
    std::string out = "v1=";
    append_hex(out, std::string_view("\x01\xff"));
    EXPECT_EQ(out, "v1=01ff");
}

TEST(Hex, WritesInPlaceWithoutTouchingTheBytesAfter) {
    char buffer[7] = {'.', '.', '.', '.', '.', '.', '!'};
    write_hex(std::string_view("\xab\x01\x9c"), buffer);
    EXPECT_EQ(std::string(buffer, sizeof buffer), "ab019c!");
}

TEST(Hex, SingleBytesInEitherCase) {
    char lower[2];
    char upper[2];
    write_hex_byte(0xa5, lower);
    write_hex_byte_upper(0xa5, upper);
    EXPECT_EQ(std::string(lower, 2), "a5");
    EXPECT_EQ(std::string(upper, 2), "A5");
}

} // namespace
} // namespace edgeai::core
