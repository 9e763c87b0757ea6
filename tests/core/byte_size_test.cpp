#include "core/byte_size.h"

#include <gtest/gtest.h>

namespace edgeai::core {
namespace {

TEST(ByteSize, ReadsUnitsAsPowersOf1024) {
    EXPECT_EQ(*parse_byte_size("800000"), 800000u);
    EXPECT_EQ(*parse_byte_size("512M"), 512ull << 20);
    EXPECT_EQ(*parse_byte_size("2G"), 2ull << 30);
    EXPECT_EQ(*parse_byte_size("1.5GiB"), 3ull << 29);
    EXPECT_EQ(*parse_byte_size("4KB"), 4096u);
    EXPECT_EQ(*parse_byte_size("10B"), 10u);
}

TEST(ByteSize, RefusesWhatIsNotASize) {
    for (std::string_view bad : {"", "M", "0", "-1G", "2X", "2 G", "G2", "1e30"})
        EXPECT_FALSE(parse_byte_size(bad).ok()) << bad;
}

TEST(ByteSize, FormatsForMessages) {
    EXPECT_EQ(format_byte_size(800), "800 B");
    EXPECT_EQ(format_byte_size(3ull << 29), "1.5 GiB");
    EXPECT_EQ(format_byte_size(300ull << 20), "300 MiB");
}

} // namespace
} // namespace edgeai::core
