#include "core/config/toml_ascii.h"

#include <gtest/gtest.h>

namespace edgeai::core {
namespace {

std::string ascii(std::string_view text) {
    auto r = toml_to_ascii(text, "t.toml");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::string();
}

TEST(TomlAscii, AsciiDocumentsPassUnchanged) {
    std::string_view doc = "a = \"x\\\"y\" # c\n[t]\nb = 'p\\q'\nm = \"\"\"l1\nl2\"\"\"\n";
    EXPECT_EQ(ascii("a = 1\n[t]\nb = \"x\"\n"), "a = 1\n[t]\nb = \"x\"\n");
    EXPECT_EQ(ascii(doc), "a = \"x\\\"y\" # c\n[t]\nb = \"p\\\\q\"\nm = \"\"\"l1\nl2\"\"\"\n");
}

TEST(TomlAscii, NonAsciiInBasicStringsBecomesEscapes) {
    EXPECT_EQ(ascii("a = \"caf\xC3\xA9 \xF0\x9F\x98\x80\"\n"), "a = \"caf\\u00E9 \\U0001F600\"\n");
}

TEST(TomlAscii, LiteralStringsBecomeBasicStringsWithTheSameContent) {
    EXPECT_EQ(ascii("a = 'C:\\dir \"q\" \xC3\xA9'\n"), "a = \"C:\\\\dir \\\"q\\\" \\u00E9\"\n");
    EXPECT_EQ(ascii("a = '''x''y\n\xC3\xA9'''''\n"), "a = \"\"\"x''y\n\\u00E9''\"\"\"\n");
}

TEST(TomlAscii, CommentsLoseTheirNonAsciiCharacters) {
    EXPECT_EQ(ascii("# caf\xC3\xA9\na = 1\n"), "# caf \na = 1\n");
}

TEST(TomlAscii, NonAsciiOutsideStringsIsAnErrorWithItsLine) {
    auto r = toml_to_ascii("a = 1\n[s\xD2\x94]\n", "t.toml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("t.toml:2: not valid TOML: a non-ASCII character"),
              std::string::npos)
        << r.status().message();
}

TEST(TomlAscii, InvalidUtf8IsAnError) {
    auto r = toml_to_ascii("a = \"\xC3\"\n", "t.toml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("invalid UTF-8"), std::string::npos);
    EXPECT_FALSE(toml_to_ascii("a = \"\xED\xA0\x80\"", "t.toml").ok()); // a surrogate
}

} // namespace
} // namespace edgeai::core
