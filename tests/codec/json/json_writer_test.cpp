#include "codec/json/json_writer.h"

#include "codec/json/json_document.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace edgeai::codec {
namespace {

TEST(JsonWriter, InsertsCommasAndNests) {
    JsonWriter w;
    w.begin_object().field("a", 1).key("b").begin_array().value("x").value(true).null().end_array();
    w.key("c").begin_object().end_object().end_object();
    EXPECT_EQ(w.str(), R"({"a":1,"b":["x",true,null],"c":{}})");
}

TEST(JsonWriter, EscapesControlCharactersQuotesAndBackslashes) {
    std::string out;
    append_json_string(out, std::string_view("a\"b\\c\n\x01", 7));
    EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
}

TEST(JsonWriter, ReplacesInvalidUtf8SoOutputStaysValid) {
    std::string out;
    append_json_string(out, "ok \xC3\xA9 bad \xFF \xE2\x82");
    EXPECT_EQ(out, "\"ok \xC3\xA9 bad \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\"");
    EXPECT_TRUE(is_valid_json(out));
}

TEST(JsonWriter, NumbersUseTheShortestRoundTripForm) {
    JsonWriter w;
    w.begin_array().value(0.1).value(1.0).value(-2.5e-7).value(1.0 / 0.0).end_array();
    EXPECT_EQ(w.str(), "[0.1,1,-2.5e-07,null]");
}

TEST(JsonWriter, WholeNumbersPrintAsPrintfWould) {
    for (double d : {0.0, -0.0, 42.0, -3.0, 999999.0, 1e6, 123456789.0, -1e21, 0.5, 1e-300}) {
        JsonWriter w;
        w.value(d);
        char expected[32];
        std::snprintf(expected, sizeof expected, "%g", d);
        if (d == 123456789.0) std::snprintf(expected, sizeof expected, "%.9g", d);
        EXPECT_EQ(w.str(), expected) << d;
    }
}

TEST(JsonWriter, StringsMixingPlainRunsAndEscapes) {
    std::string out;
    append_json_string(out, "plain run \"quoted\" then\ttab, caf\xC3\xA9\x7f end");
    EXPECT_EQ(out, "\"plain run \\\"quoted\\\" then\\ttab, caf\xC3\xA9\x7f end\"");
    std::string empty;
    append_json_string(empty, "");
    EXPECT_EQ(empty, "\"\"");
}

} // namespace
} // namespace edgeai::codec
