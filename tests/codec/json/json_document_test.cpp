#include "codec/json/json_document.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::codec {
namespace {

TEST(JsonDocument, WalksObjectsArraysAndScalars) {
    auto doc = JsonDocument::parse(R"({"s":"x","n":3,"f":1.5,"b":true,"a":[1,2],"o":{"k":null}})");
    ASSERT_TRUE(doc.ok());
    JsonValue r = doc->root();
    EXPECT_EQ(r["s"].as_string(), "x");
    EXPECT_TRUE(r["n"].is_integer());
    EXPECT_EQ(r["n"].as_int64(), 3);
    EXPECT_FALSE(r["f"].is_integer());
    EXPECT_DOUBLE_EQ(r["f"].as_double(), 1.5);
    EXPECT_TRUE(r["b"].as_bool());
    EXPECT_EQ(r["a"].size(), 2u);
    EXPECT_EQ(r["a"].at(1).as_int64(), 2);
    EXPECT_TRUE(r["a"].at(2).is_missing());
    EXPECT_TRUE(r["o"]["k"].is_null());
    EXPECT_TRUE(r["nope"].is_missing());
    EXPECT_TRUE(r["s"]["deeper"].is_missing());
    EXPECT_EQ(r.member_name(0), "s");
    EXPECT_EQ(r.size(), 6u);
}

TEST(JsonDocument, ParseErrorsGiveTheByteOffset) {
    auto doc = JsonDocument::parse(R"({"a": tru})");
    ASSERT_FALSE(doc.ok());
    EXPECT_NE(doc.status().message().find("invalid JSON at byte 9: Invalid value"),
              std::string::npos)
        << doc.status().message();
}

TEST(JsonDocument, RejectsTrailingGarbageAndInvalidUtf8) {
    EXPECT_FALSE(JsonDocument::parse("{} x").ok());
    EXPECT_FALSE(JsonDocument::parse("\"\xFF\"").ok());
    EXPECT_FALSE(JsonDocument::parse("").ok());
    EXPECT_FALSE(is_valid_json("{\"a\":"));
    EXPECT_TRUE(is_valid_json(" [1, {\"a\": \"\\u00e9\"}] "));
}

TEST(JsonDocument, RefusesNestingDeeperThanTheLimit) {
    std::string deep(200000, '[');
    deep += std::string(200000, ']');
    auto doc = JsonDocument::parse(deep);
    ASSERT_FALSE(doc.ok());
    EXPECT_NE(doc.status().message().find("nests deeper than 128"), std::string::npos);
    EXPECT_FALSE(is_valid_json(deep));
    // Brackets inside strings do not count.
    EXPECT_TRUE(JsonDocument::parse("\"" + std::string(500, '[') + "\"").ok());
}

TEST(JsonDocument, IntegersBeyondInt64AreNotIntegers) {
    // The third is parsed as a double far outside int64_t (found by requests_fuzz).
    auto huge = JsonDocument::parse("[1" + std::string(60, '9') + "]");
    ASSERT_TRUE(huge.ok());
    EXPECT_FALSE(huge->root().at(0).is_integer());
    EXPECT_EQ(huge->root().at(0).as_int64(), 0);
    auto doc = JsonDocument::parse("[18446744073709551615, -5, 2.0]");
    ASSERT_TRUE(doc.ok());
    EXPECT_FALSE(doc->root().at(0).is_integer());
    EXPECT_EQ(doc->root().at(1).as_int64(), -5);
    EXPECT_TRUE(doc->root().at(2).is_integer());
}

} // namespace
} // namespace edgeai::codec

#include "codec/json/json_validator.h"

namespace edgeai::codec {
namespace {

// The validator must agree with RapidJSON on what is JSON: same inputs, same verdicts.
TEST(JsonValidator, AgreesWithTheParserOnValidAndInvalidText) {
    const char* valid[] = {
        "0",
        "-0.5e+10",
        "\"\"",
        "\"a\\u00e9\\n\\\"\"",
        "true",
        "null",
        "[]",
        "{}",
        " {\"a\" : [1, 2.5, -3e-2, {\"b\": null}], \"c\": \"\xC3\xA9\"} ",
        "[[[[[]]]]]",
        "\"\\ud83d\\ude00\"",
        "{\"a\":{\"b\":{\"c\":[]}}}",
    };
    const char* invalid[] = {
        "",
        " ",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "+1",
        "tru",
        "nul",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:2}",
        "[1 2]",
        "\"\\x\"",
        "\"\\u12g4\"",
        "\"a",
        "\"\x01\"",
        "\"\xC3\"",
        "[1]]",
        "{}{}",
        "[",
        "{\"a\":",
        "NaN",
        "[\"\xED\xA0\x80\"]",
        "\"\\ud800\"",
        "\"\\ud800\\u0041\"",
    };
    for (const char* text : valid) {
        EXPECT_TRUE(check_json(text, 128).valid) << text;
        EXPECT_TRUE(JsonDocument::parse(text).ok()) << text;
    }
    for (const char* text : invalid) {
        EXPECT_FALSE(check_json(text, 128).valid) << text;
        EXPECT_FALSE(JsonDocument::parse(text).ok()) << text;
    }
}

TEST(JsonValidator, ReportsDepthSeparately) {
    JsonCheck deep = check_json("[[[1]]]", 2);
    EXPECT_FALSE(deep.valid);
    EXPECT_TRUE(deep.too_deep);
    EXPECT_TRUE(check_json("[[1]]", 2).valid);
}

} // namespace
} // namespace edgeai::codec
