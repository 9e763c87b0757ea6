#include "codec/sse/sse_parser.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgeai::codec {
namespace {

std::vector<SseEvent> feed_all(SseParser& p, std::string_view bytes, size_t piece) {
    std::vector<SseEvent> out;
    for (size_t at = 0; at < bytes.size(); at += piece) {
        EXPECT_TRUE(p.feed(bytes.substr(at, piece)).ok());
        SseEvent e;
        while (p.next(e))
            out.push_back(e);
    }
    return out;
}

TEST(SseParser, SameEventsWhateverTheReadSizes) {
    std::string_view stream =
        "data: {\"a\":1}\r\n\r\n: keep-alive\n\nevent: ping\ndata: x\ndata: y\n\r"
        "data:[DONE]\r\r";
    for (size_t piece = 1; piece <= stream.size(); ++piece) {
        SseParser p;
        auto events = feed_all(p, stream, piece);
        ASSERT_EQ(events.size(), 3u) << "piece " << piece;
        EXPECT_EQ(events[0].data, "{\"a\":1}");
        EXPECT_EQ(events[1].event, "ping");
        EXPECT_EQ(events[1].data, "x\ny");
        EXPECT_EQ(events[2].data, "[DONE]");
        EXPECT_TRUE(p.at_boundary());
    }
}

TEST(SseParser, AnEventWithoutDataIsNotDispatched) {
    SseParser p;
    auto events = feed_all(p, "event: x\n\nid: 3\n\n", 100);
    EXPECT_TRUE(events.empty());
}

TEST(SseParser, AStreamCutInsideAnEventIsNotAtABoundary) {
    SseParser p;
    auto events = feed_all(p, "data: {\"a\":1}\n\ndata: {\"b\"", 100);
    EXPECT_EQ(events.size(), 1u);
    EXPECT_FALSE(p.at_boundary());
}

TEST(SseParser, RefusesAnEventLargerThanTheLimitAndStaysFailed) {
    SseParser p(64);
    EXPECT_TRUE(p.feed("data: short\n\n").ok());
    core::Status s = p.feed("data: " + std::string(100, 'x'));
    EXPECT_EQ(s.code(), core::StatusCode::kDataLoss);
    EXPECT_FALSE(p.feed("\n\n").ok());
}

TEST(SseParser, WriterRoundTripsMultilineData) {
    std::string out;
    append_sse_event(out, "delta", "a\nb");
    EXPECT_EQ(out, "event: delta\ndata: a\ndata: b\n\n");
    SseParser p;
    auto events = feed_all(p, out, 3);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, "a\nb");
    EXPECT_EQ(events[0].event, "delta");
}

} // namespace
} // namespace edgeai::codec
