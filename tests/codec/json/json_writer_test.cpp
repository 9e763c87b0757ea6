#include "codec/json/json_writer.h"

#include "codec/json/json_document.h"

#include <gtest/gtest.h>

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

} // namespace
} // namespace edgeai::codec
