#include "codec/base64/base64.h"

#include <gtest/gtest.h>

namespace edgeai::codec {
namespace {

std::string b64(std::string_view s) {
    std::string out;
    append_base64(out, s);
    return out;
}

TEST(Base64, MatchesRfc4648Vectors) {
    EXPECT_EQ(b64(""), "");
    EXPECT_EQ(b64("f"), "Zg==");
    EXPECT_EQ(b64("fo"), "Zm8=");
    EXPECT_EQ(b64("foo"), "Zm9v");
    EXPECT_EQ(b64("foob"), "Zm9vYg==");
    EXPECT_EQ(b64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(b64(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodesWhatItEncodes) {
    for (std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        auto back = decode_base64(b64(s));
        ASSERT_TRUE(back.ok()) << s;
        EXPECT_EQ(*back, s);
    }
    const std::string binary("\xff\xfe\x00\x80", 4);
    EXPECT_EQ(*decode_base64(b64(binary)), binary);
}

TEST(Base64, RefusesTextThatIsNotPaddedStandardBase64) {
    for (std::string_view bad : {"Zg", "Zg=", "Z===", "Zm9v!A==", "Zg=A", "=Zg=", "Zm 9", "Zm-_"})
        EXPECT_FALSE(decode_base64(bad).ok()) << bad;
}

} // namespace
} // namespace edgeai::codec
