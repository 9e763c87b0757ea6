#include "codec/sse/sse_framer.h"

#include "codec/sse/sse_parser.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgeai::codec {
namespace {

std::string frame_all(SseFramer& f, std::string_view bytes, size_t piece) {
    std::string out;
    for (size_t at = 0; at < bytes.size(); at += piece)
        out.append(f.feed(bytes.substr(at, piece)));
    return out;
}

std::vector<SseEvent> parse_all(std::string_view bytes) {
    SseParser p;
    EXPECT_TRUE(p.feed(bytes).ok());
    std::vector<SseEvent> out;
    SseEvent e;
    while (p.next(e))
        out.push_back(e);
    return out;
}

constexpr std::string_view kStream =
    "data: {\"a\":1}\r\n\r\n: keep-alive\n\nevent: ping\ndata: x\ndata: y\n\r"
    "data: {\"b\":2}\r\rdata: [DONE]\n\n";

TEST(SseFramer, ForwardsTheStreamUnchangedInWholeEventsWhateverTheReadSizes) {
    for (size_t piece = 1; piece <= kStream.size(); ++piece) {
        SseFramer f;
        std::string out = frame_all(f, kStream, piece);
        // Up to a CRLF partner held back, everything is forwarded verbatim.
        EXPECT_EQ(out, kStream) << "piece " << piece;
        EXPECT_TRUE(f.saw_done()) << "piece " << piece;
        EXPECT_TRUE(f.at_boundary()) << "piece " << piece;
    }
}

TEST(SseFramer, EveryWriteHoldsOnlyWholeEvents) {
    SseFramer f;
    std::vector<std::string> writes;
    for (size_t at = 0; at < kStream.size(); at += 7) {
        std::string_view w = f.feed(kStream.substr(at, 7));
        if (!w.empty()) writes.emplace_back(w);
    }
    size_t events = 0;
    for (const std::string& w : writes) {
        SseParser p;
        ASSERT_TRUE(p.feed(w).ok());
        SseEvent e;
        while (p.next(e))
            ++events;
        EXPECT_TRUE(p.at_boundary()) << "a write ended inside an event: " << w;
    }
    EXPECT_EQ(events, parse_all(kStream).size());
}

TEST(SseFramer, HoldsBackAnUnfinishedEvent) {
    SseFramer f;
    EXPECT_EQ(f.feed("data: {\"a\":1}\n\ndata: {\"b\""), "data: {\"a\":1}\n\n");
    EXPECT_FALSE(f.at_boundary());
    EXPECT_FALSE(f.saw_done());
    EXPECT_EQ(f.feed(":2}\n\n"), "data: {\"b\":2}\n\n");
    EXPECT_TRUE(f.at_boundary());
}

TEST(SseFramer, DoneMustBeAWholeLine) {
    SseFramer f;
    (void)f.feed("data: [DONE] later\n\ndata: x[DONE]\n\n");
    EXPECT_FALSE(f.saw_done());
    (void)f.feed("data:[DONE]\n\n");
    EXPECT_TRUE(f.saw_done());
}

TEST(SseFramer, AnEventPastTheLimitStopsTheStreamButKeepsWhatCameBefore) {
    SseFramer f(32);
    std::string input = "data: ok\n\ndata: " + std::string(64, 'x');
    std::string_view out = f.feed(input);
    EXPECT_EQ(out, "data: ok\n\n");
    EXPECT_TRUE(f.overflowed());
    EXPECT_EQ(f.feed("\n\n"), "");
}

} // namespace
} // namespace edgeai::codec
