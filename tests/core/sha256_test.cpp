#include "core/hex.h"
#include "core/sha256.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>

namespace edgeai::core {
namespace {

// FIPS 180-4 examples and the NIST short/long message vectors.
TEST(Sha256, KnownDigests) {
    EXPECT_EQ(hex_encode(sha256("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex_encode(sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex_encode(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(hex_encode(sha256(std::string(1000000, 'a'))),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, AnySplitOfTheInputGivesTheSameDigest) {
    std::string text;
    for (int i = 0; i < 300; ++i)
        text.push_back(static_cast<char>('a' + i % 26));
    const Sha256Digest whole = sha256(text);
    for (size_t cut : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 128u, 299u}) {
        Sha256 s;
        s.update(std::string_view(text).substr(0, cut));
        s.update(std::string_view(text).substr(cut));
        EXPECT_EQ(s.finish(), whole) << cut;
    }
}

// RFC 4231 test cases 1, 2, 6 (a key longer than the block) and 7.
TEST(HmacSha256, Rfc4231Vectors) {
    EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(hex_encode(hmac_sha256(std::string(131, '\xaa'),
                                     "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    EXPECT_EQ(hex_encode(hmac_sha256(
                  std::string(131, '\xaa'),
                  "This is a test using a larger than block-size key and a larger than "
                  "block-size data. The key needs to be hashed before being used by the HMAC "
                  "algorithm.")),
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256, OneKeySignsManyMessagesAlike) {
    const std::string key(40, '\x5a');
    const HmacSha256 signer(key);
    std::string message;
    for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(signer.sign(message), hmac_sha256(key, message)) << i;
        message.push_back(static_cast<char>(i * 7));
    }
}

// The CPU's SHA instructions must agree with the portable loop on every
// length and starting state; the digests above go through whichever this
// machine uses.
TEST(Sha256Blocks, AcceleratedMatchesPortable) {
    const Sha256BlocksFn accelerated = sha256_blocks_x86();
    if (accelerated == nullptr) GTEST_SKIP() << "no SHA instructions on this build or CPU";
    std::string data(64 * 17, '\0');
    uint32_t seed = 1;
    for (char& c : data) {
        seed = seed * 1103515245u + 12345u;
        c = static_cast<char>(seed >> 24);
    }
    const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
    // 0 to 16 blocks, from a start that is not 16-byte aligned for most,
    // each from a different state.
    for (size_t blocks = 0; blocks <= 16; ++blocks) {
        const size_t offset = blocks * 3;
        uint32_t portable[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        portable[blocks % 8] ^= static_cast<uint32_t>(blocks * 0x9e3779b9u);
        uint32_t fast[8];
        std::copy(portable, portable + 8, fast);
        sha256_blocks_portable(portable, bytes + offset, blocks);
        accelerated(fast, bytes + offset, blocks);
        for (int i = 0; i < 8; ++i)
            EXPECT_EQ(fast[i], portable[i]) << blocks << " blocks, word " << i;
    }
    EXPECT_EQ(sha256_blocks(), accelerated);
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "ab"));
    EXPECT_TRUE(constant_time_equal("", ""));
}

} // namespace
} // namespace edgeai::core
