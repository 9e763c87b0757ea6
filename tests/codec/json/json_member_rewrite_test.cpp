// Rewriting one top-level member keeps every other byte of the body.
#include "codec/json/json_document.h"
#include "codec/json/json_member_rewrite.h"

#include <gtest/gtest.h>

namespace edgeai::codec {
namespace {

TEST(JsonMemberRewrite, ReplacesTheTopLevelMemberOnly) {
    const std::string body =
        R"({"messages":[{"role":"user","content":"model \"x\" {"}],"model":"chat","temperature":0.70,"x":{"model":"inner"}})";
    auto out = replace_top_level_string(body, "model", "gpt-4o-mini");
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(
        *out,
        R"({"messages":[{"role":"user","content":"model \"x\" {"}],"model":"gpt-4o-mini","temperature":0.70,"x":{"model":"inner"}})");
    EXPECT_TRUE(is_valid_json(*out));
}

TEST(JsonMemberRewrite, EscapesTheNewValueAndMatchesEscapedNames) {
    auto out =
        replace_top_level_string(" { \"mod\\u0065l\" : \"a\" , \"n\": 1 } ", "model", "q\"uote\\");
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(*out, R"( { "mod\u0065l" : "q\"uote\\" , "n": 1 } )");
    EXPECT_TRUE(is_valid_json(*out));
}

TEST(JsonMemberRewrite, NotAnObjectOrNoSuchMember) {
    EXPECT_FALSE(replace_top_level_string("[1,2]", "model", "m").has_value());
    EXPECT_FALSE(replace_top_level_string("{}", "model", "m").has_value());
    EXPECT_FALSE(replace_top_level_string(R"({"a":{"model":"x"}})", "model", "m").has_value());
    EXPECT_FALSE(replace_top_level_string(R"({"a":)", "model", "m").has_value());
    EXPECT_FALSE(replace_top_level_string("", "model", "m").has_value());
    // Any value type is replaced by the string.
    EXPECT_EQ(*replace_top_level_string(R"({"model":null})", "model", "m"), R"({"model":"m"})");
    EXPECT_EQ(*replace_top_level_string(R"({"model":[1,{"a":"]"}]})", "model", "m"),
              R"({"model":"m"})");
}

} // namespace
} // namespace edgeai::codec
