#include "api/multipart.h"

#include <gtest/gtest.h>

namespace edgeai::api {
namespace {

TEST(FormBoundary, FromTheContentType) {
    auto b = form_boundary("multipart/form-data; boundary=----abc123");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(*b, "----abc123");
    auto quoted = form_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"");
    ASSERT_TRUE(quoted.ok());
    EXPECT_EQ(*quoted, "a b;c");
    EXPECT_FALSE(form_boundary("application/json").ok());
    EXPECT_FALSE(form_boundary("multipart/form-data").ok());
    EXPECT_FALSE(form_boundary("multipart/form-data; boundary=\"unterminated").ok());
    EXPECT_FALSE(form_boundary("multipart/form-data; boundary=" + std::string(71, 'x')).ok());
}

TEST(ParseFormData, FieldsAndAFileAsTheSdksSendThem) {
    const std::string body =
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"purpose\"\r\n"
        "\r\n"
        "batch\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
        "Content-Type: application/jsonl\r\n"
        "\r\n"
        "{\"a\":1}\r\n{\"b\":2}\n\r\n"
        "--XyZ--\r\n";
    auto parts = parse_form_data(body, "XyZ");
    ASSERT_TRUE(parts.ok()) << parts.status().to_string();
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ((*parts)[0].name, "purpose");
    EXPECT_EQ((*parts)[0].data, "batch");
    EXPECT_EQ((*parts)[1].name, "file");
    EXPECT_EQ((*parts)[1].filename, "in.jsonl");
    EXPECT_EQ((*parts)[1].content_type, "application/jsonl");
    EXPECT_EQ((*parts)[1].data, "{\"a\":1}\r\n{\"b\":2}\n");
}

TEST(ParseFormData, BrokenBodiesSayWhatIsWrong) {
    auto expect_error = [](const std::string& body, std::string_view says) {
        auto r = parse_form_data(body, "b");
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_NE(r.status().message().find(says), std::string::npos) << r.status().message();
    };
    expect_error("no boundary here", "never appears");
    expect_error("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ndata", "cut off");
    expect_error("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n", "never end");
    expect_error("--b\r\nX-Other: 1\r\n\r\nv\r\n--b--", "no Content-Disposition");
    expect_error("--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nv\r\n--b--",
                 "not form-data");
    expect_error("--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--", "no name");
    expect_error("--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--b--", "no name");
    expect_error("--bX\r\n", "CRLF");
    std::string many;
    for (int i = 0; i < 70; ++i)
        many += "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n";
    expect_error(many + "--b--", "more than 64 parts");
}

} // namespace
} // namespace edgeai::api
