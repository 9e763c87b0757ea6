#include "core/id_maker.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

namespace edgeai::core {
namespace {

bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void expect_format(const std::string& id, std::string_view prefix, size_t digits) {
    ASSERT_EQ(id.substr(0, prefix.size()), prefix) << id;
    EXPECT_EQ(id.size(), prefix.size() + digits) << id;
    EXPECT_TRUE(is_lower_hex(std::string_view(id).substr(prefix.size()))) << id;
}

TEST(IdMaker, EachKindHasTheFormatClientsAlreadySee) {
    SeededRandom random(1);
    expect_format(make_id(IdKind::kRequest, random), "req_", 32);
    expect_format(make_id(IdKind::kJob, random), "job_", 24);
    expect_format(make_id(IdKind::kFile, random), "file-", 24);
    expect_format(make_id(IdKind::kBatch, random), "batch_", 24);
    expect_format(make_id(IdKind::kResponse, random), "resp_", 32);
    expect_format(make_id(IdKind::kMessage, random), "msg_", 32);
}

// The digits are the random bytes themselves, in order: nothing derived, so
// an id seen tells nothing about the source's state beyond its own bytes.
TEST(IdMaker, DigitsAreTheRandomBytes) {
    SeededRandom a(42), b(42);
    uint8_t bytes[12];
    b.fill(bytes, sizeof bytes);
    std::string hex;
    for (uint8_t byte : bytes) {
        hex.push_back("0123456789abcdef"[byte >> 4]);
        hex.push_back("0123456789abcdef"[byte & 15]);
    }
    EXPECT_EQ(make_id(IdKind::kJob, a), "job_" + hex);
}

TEST(IdMaker, MintsDistinctIds) {
    SeededRandom random(0x1234);
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i)
        EXPECT_TRUE(seen.insert(make_id(IdKind::kRequest, random)).second);
}

TEST(SeededRandom, SameSeedSameBytesOtherSeedOther) {
    SeededRandom a(5), b(5), c(6);
    EXPECT_EQ(a.next_u64(), b.next_u64());
    EXPECT_NE(a.next_u64(), c.next_u64());
    // Odd lengths take the bytes in order across draws.
    SeededRandom d(9), e(9);
    uint8_t three[3], five[5], eight[8];
    d.fill(three, 3);
    d.fill(five, 5);
    e.fill(eight, 8);
    EXPECT_EQ(std::memcmp(three, eight, 3), 0);
}

} // namespace
} // namespace edgeai::core
