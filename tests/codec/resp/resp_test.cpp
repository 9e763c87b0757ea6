// The RESP2 reply reader: every reply type, replies cut at every byte, and
// one test per way bytes from a server can be wrong.
#include "codec/resp/resp.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::codec::resp {
namespace {

// Feeds `bytes` whole and expects exactly one reply.
Reply read_one(std::string_view bytes) {
    ReplyReader reader;
    reader.feed(bytes);
    Reply r;
    auto got = reader.next(r);
    EXPECT_TRUE(got.ok()) << got.status().message();
    EXPECT_TRUE(got.ok() && *got);
    EXPECT_EQ(reader.buffered(), 0u);
    return r;
}

std::string error_of(std::string_view bytes, ReplyLimits limits = {}) {
    ReplyReader reader(limits);
    reader.feed(bytes);
    Reply r;
    auto got = reader.next(r);
    if (got.ok()) return "";
    EXPECT_EQ(got.status().code(), core::StatusCode::kDataLoss);
    return got.status().message();
}

TEST(RespReader, ReadsEveryReplyType) {
    EXPECT_EQ(read_one("+OK\r\n").text, "OK");
    EXPECT_EQ(read_one("+OK\r\n").type, ReplyType::kSimple);
    const Reply err = read_one("-NOSCRIPT No matching script\r\n");
    EXPECT_EQ(err.type, ReplyType::kError);
    EXPECT_EQ(err.text, "NOSCRIPT No matching script");
    EXPECT_EQ(read_one(":-42\r\n").integer, -42);
    EXPECT_EQ(read_one("$5\r\nhe\r\no\r\n").text, "he\r\no"); // binary-safe
    EXPECT_EQ(read_one("$0\r\n\r\n").text, "");
    EXPECT_EQ(read_one("$-1\r\n").type, ReplyType::kNull);
    EXPECT_EQ(read_one("*-1\r\n").type, ReplyType::kNull);
    const Reply arr = read_one("*3\r\n:0\r\n$2\r\nab\r\n*1\r\n+x\r\n");
    ASSERT_EQ(arr.type, ReplyType::kArray);
    ASSERT_EQ(arr.elements.size(), 3u);
    EXPECT_EQ(arr.elements[1].text, "ab");
    EXPECT_EQ(arr.elements[2].elements[0].text, "x");
}

TEST(RespReader, AReplyCutAnywhereWaitsForTheRest) {
    const std::string wire = "*2\r\n$3\r\nfoo\r\n:7\r\n+PONG\r\n";
    for (size_t cut = 0; cut <= wire.size(); ++cut) {
        ReplyReader reader;
        reader.feed(wire.substr(0, cut));
        Reply r;
        auto first = reader.next(r);
        ASSERT_TRUE(first.ok());
        if (cut < 17) {
            ASSERT_FALSE(*first) << cut;
            reader.feed(wire.substr(cut));
            first = reader.next(r);
            ASSERT_TRUE(first.ok() && *first);
        } else {
            reader.feed(wire.substr(cut));
        }
        EXPECT_EQ(r.elements.at(0).text, "foo");
        auto second = reader.next(r);
        ASSERT_TRUE(second.ok() && *second) << cut;
        EXPECT_EQ(r.text, "PONG");
    }
}

TEST(RespReader, RefusesAnUnknownTypeByte) {
    EXPECT_NE(error_of("HTTP/1.1 400 Bad Request\r\n").find("byte 72"), std::string::npos);
}

TEST(RespReader, RefusesAnIntegerThatIsNotANumber) {
    EXPECT_NE(error_of(":12a\r\n"), "");
    EXPECT_NE(error_of(":\r\n"), "");
    EXPECT_NE(error_of(":99999999999999999999999\r\n"), "");
}

TEST(RespReader, RefusesBadBulkLengths) {
    EXPECT_NE(error_of("$-2\r\n"), "");
    EXPECT_NE(error_of("$x\r\n"), "");
    ReplyLimits small;
    small.max_bulk_bytes = 4;
    EXPECT_NE(error_of("$5\r\nhello\r\n", small).find("5 bytes"), std::string::npos);
}

TEST(RespReader, RefusesABulkStringNotEndedByCrlf) {
    EXPECT_NE(error_of("$2\r\nabcd\r\n").find("CRLF"), std::string::npos);
}

TEST(RespReader, RefusesArraysTooLongOrTooDeep) {
    ReplyLimits limits;
    limits.max_elements = 2;
    limits.max_depth = 2;
    EXPECT_NE(error_of("*3\r\n", limits).find("3 elements"), std::string::npos);
    EXPECT_NE(error_of("*1\r\n*1\r\n*1\r\n:1\r\n", limits).find("nested"), std::string::npos);
    // A huge count is refused from the header, before anything is allocated.
    EXPECT_NE(error_of("*1000000000\r\n"), "");
}

TEST(RespReader, RefusesALineWithoutEnd) {
    ReplyLimits limits;
    limits.max_line_bytes = 8;
    EXPECT_NE(error_of("+0123456789", limits).find("longer than 8"), std::string::npos);
}

TEST(RespCommand, WritesAnArrayOfBulkStrings) {
    std::string out;
    append_command(out, {"EVALSHA", "ab", "0"});
    EXPECT_EQ(out, "*3\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n0\r\n");
    out.clear();
    append_command(out, std::vector<std::string>{"AUTH", std::string("p\r\nw", 4)});
    EXPECT_EQ(out, std::string("*2\r\n$4\r\nAUTH\r\n$4\r\np\r\nw\r\n"));
}

} // namespace
} // namespace edgeai::codec::resp
