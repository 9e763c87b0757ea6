#include "codec/lines/json_lines.h"

#include <gtest/gtest.h>

namespace edgeai::codec {
namespace {

TEST(JsonLines, ARequestLineBecomesAnHttpRequest) {
    LineDecode d = decode_request_line(
        R"({"id":"a\u0041","path":"/v1/embeddings","headers":{"X-Key":"v"},"body":{"input":"hi","n":1.5}})");
    ASSERT_TRUE(d.status.ok()) << d.status.message();
    EXPECT_EQ(d.id, "\"aA\"");
    EXPECT_EQ(d.request.method, "POST");
    EXPECT_EQ(d.request.target, "/v1/embeddings");
    EXPECT_EQ(d.request.headers.get("x-key"), "v");
    EXPECT_EQ(d.request.headers.get("content-type"), "application/json");
    EXPECT_EQ(d.request.body, R"({"input":"hi","n":1.5})");
}

TEST(JsonLines, MethodDefaultsAndBodyForms) {
    LineDecode get = decode_request_line(R"({"id":3,"path":"/v1/models"})");
    EXPECT_EQ(get.request.method, "GET");
    EXPECT_EQ(get.id, "3");
    LineDecode text = decode_request_line(R"({"id":4,"method":"post","path":"/x","body":"raw"})");
    EXPECT_EQ(text.request.method, "POST");
    EXPECT_EQ(text.request.body, "raw");
    EXPECT_FALSE(text.request.headers.has("content-type"));
    LineDecode bin = decode_request_line(R"({"id":5,"path":"/x","body_base64":"gaFhAQ=="})");
    ASSERT_TRUE(bin.status.ok());
    EXPECT_EQ(bin.request.body, std::string("\x81\xa1\x61\x01", 4));
}

TEST(JsonLines, EachWayALineCanBeWrongHasItsCode) {
    struct Case {
        const char* line;
        const char* code;
        const char* id;
    } cases[] = {
        {"nope", "bad_line", ""},
        {"[1]", "bad_line", ""},
        {R"({"path":"/x"})", "missing_id", ""},
        {R"({"id":null,"path":"/x"})", "missing_id", ""},
        {R"({"id":1.5,"path":"/x"})", "bad_line", ""},
        {R"({"id":true,"path":"/x"})", "bad_line", ""},
        {R"({"id":1,"path":"x"})", "bad_line", "1"},
        {R"({"id":1})", "bad_line", "1"},
        {R"({"id":1,"path":"/x","method":7})", "bad_line", "1"},
        {R"({"id":1,"path":"/x","headers":[]})", "bad_line", "1"},
        {R"({"id":1,"path":"/x","headers":{"a":1}})", "bad_line", "1"},
        {R"({"id":1,"path":"/x","body":{},"body_base64":""})", "bad_line", "1"},
        {R"({"id":1,"path":"/x","body_base64":"abc"})", "bad_line", "1"},
        {R"({"id":"k","path":"/x",)", "bad_line", "\"k\""},
    };
    for (const Case& c : cases) {
        LineDecode d = decode_request_line(c.line);
        EXPECT_FALSE(d.status.ok()) << c.line;
        EXPECT_EQ(d.error_code, c.code) << c.line;
        EXPECT_EQ(d.id, c.id) << c.line;
    }
    EXPECT_EQ(
        decode_request_line(R"({"id":")" + std::string(300, 'a') + R"(","path":"/"})").error_code,
        "bad_line");
}

TEST(JsonLines, TheIdOfAnOverlongLineIsFoundOnlyAsItsFirstMember) {
    EXPECT_EQ(find_line_id(R"( { "id" : "x\"y", "path": "/v1/chat/completions", "body":"...)"),
              R"("x\"y")");
    EXPECT_EQ(find_line_id(R"({"id":-42,"body":"...)"), "-42");
    EXPECT_EQ(find_line_id(R"({"path":"/x","id":1,"body":"...)"), "");
    EXPECT_EQ(find_line_id(R"({"id":"unterminated)"), "");
    EXPECT_EQ(find_line_id(R"({"id":12)"), "") << "the number may go on";
}

TEST(JsonLines, AnswersAreOneJsonObjectPerLine) {
    std::string out;
    core::Headers h;
    h.add("content-type", "application/json");
    append_head_line(out, "1", 200, h);
    EXPECT_EQ(out, "{\"id\":1,\"type\":\"head\",\"status\":200,\"headers\":{\"content-type\":"
                   "\"application/json\"}}\n");
    out.clear();
    append_body_line(out, "1", "application/json", "{\"a\":1}");
    EXPECT_EQ(out, "{\"id\":1,\"type\":\"body\",\"body\":{\"a\":1}}\n");
    out.clear();
    append_body_line(out, "1", "application/json", "{broken");
    EXPECT_EQ(out, "{\"id\":1,\"type\":\"body\",\"body\":\"{broken\"}\n");
    out.clear();
    append_body_line(out, "1", "application/msgpack", std::string("\x81\x00", 2));
    EXPECT_EQ(out, "{\"id\":1,\"type\":\"body\",\"body_base64\":\"gQA=\"}\n");
    out.clear();
    append_event_line(out, "\"s\"", "ping", "line one\nline two");
    EXPECT_EQ(out, "{\"id\":\"s\",\"type\":\"event\",\"event\":\"ping\",\"data\":\"line "
                   "one\\nline two\"}\n");
    out.clear();
    append_error_line(out, "", "bad_line", "why");
    EXPECT_EQ(out, "{\"id\":null,\"type\":\"error\",\"error\":{\"code\":\"bad_line\","
                   "\"message\":\"why\"}}\n");
}

} // namespace
} // namespace edgeai::codec
