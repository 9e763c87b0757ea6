#include "codec/frame/cobs.h"
#include "codec/frame/frame.h"
#include "codec/frame/frame_message.h"
#include "codec/msgpack/msgpack_json.h"
#include "core/crc32.h"

#include <gtest/gtest.h>

#include <random>

namespace edgeai::codec {
namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string out;
    for (int b : list)
        out.push_back(static_cast<char>(b));
    return out;
}

std::string encode(std::string_view raw) {
    std::string out;
    cobs_encode(raw, out);
    return out;
}

TEST(Cobs, EncodesThePublishedExamples) {
    EXPECT_EQ(encode(bytes({0x00})), bytes({0x01, 0x01}));
    EXPECT_EQ(encode(bytes({0x00, 0x00})), bytes({0x01, 0x01, 0x01}));
    EXPECT_EQ(encode(bytes({0x11, 0x22, 0x00, 0x33})), bytes({0x03, 0x11, 0x22, 0x02, 0x33}));
    EXPECT_EQ(encode(bytes({0x11, 0x22, 0x33, 0x44})), bytes({0x05, 0x11, 0x22, 0x33, 0x44}));
    EXPECT_EQ(encode(bytes({0x11, 0x00, 0x00, 0x00})), bytes({0x02, 0x11, 0x01, 0x01, 0x01}));
    EXPECT_EQ(encode(""), bytes({0x01}));
    // 254 non-zero bytes fill one block; a 255th starts another.
    std::string run;
    for (int i = 1; i <= 254; ++i)
        run.push_back(static_cast<char>(i));
    EXPECT_EQ(encode(run), '\xFF' + run + '\x01');
    std::string longer = run + '\xFF';
    EXPECT_EQ(encode(longer), '\xFF' + run + bytes({0x02, 0xFF}));
    std::string zero_first = '\0' + run;
    EXPECT_EQ(encode(zero_first), bytes({0x01, 0xFF}) + run + '\x01');
}

TEST(Cobs, RoundTripsRandomBytesWithoutAZeroAndWithinTheBound) {
    std::mt19937 rng(3);
    for (int trial = 0; trial < 300; ++trial) {
        std::string raw(rng() % 1200, '\0');
        const bool sparse = trial % 2 == 0;
        for (char& c : raw)
            c = static_cast<char>(sparse ? (rng() % 8 == 0 ? 0 : rng() % 256) : rng() % 256);
        const std::string enc = encode(raw);
        EXPECT_EQ(enc.find('\0'), std::string::npos);
        EXPECT_LE(enc.size(), cobs_max_encoded_size(raw.size()));
        auto back = cobs_decode(enc);
        ASSERT_TRUE(back.ok()) << back.status().message();
        EXPECT_EQ(*back, raw);
    }
}

TEST(Cobs, RefusesAZeroInsideAndABlockPastTheEnd) {
    EXPECT_FALSE(cobs_decode(bytes({0x03, 0x11})).ok());
    EXPECT_FALSE(cobs_decode(bytes({0x03, 0x11, 0x00})).ok());
    EXPECT_FALSE(cobs_decode(bytes({0x00})).ok());
}

std::vector<FrameResult> read_all(FrameReader& reader, std::string_view wire, size_t step) {
    std::vector<FrameResult> out;
    for (size_t at = 0; at < wire.size(); at += step) {
        reader.feed(wire.substr(at, step));
        FrameResult r;
        while (reader.next(r))
            out.push_back(std::move(r));
    }
    return out;
}

TEST(Frame, RoundTripsFedInAnyPieces) {
    std::string wire;
    append_frame(wire, FrameType::kRequest, 0, 7, "hello");
    append_frame(wire, FrameType::kPing, 0, 0xFFFFFFFFu, std::string(300, '\0'));
    append_frame(wire, FrameType::kEnd, 0, 9, "");
    for (size_t step : {size_t{1}, size_t{3}, size_t{64}, wire.size()}) {
        FrameReader reader;
        auto frames = read_all(reader, wire, step);
        ASSERT_EQ(frames.size(), 3u) << step;
        EXPECT_EQ(frames[0].fault, FrameFault::kNone);
        EXPECT_EQ(frames[0].frame.type, FrameType::kRequest);
        EXPECT_EQ(frames[0].frame.id, 7u);
        EXPECT_EQ(frames[0].frame.payload, "hello");
        EXPECT_EQ(frames[1].frame.id, 0xFFFFFFFFu);
        EXPECT_EQ(frames[1].frame.payload, std::string(300, '\0'));
        EXPECT_EQ(frames[2].frame.type, FrameType::kEnd);
        EXPECT_TRUE(frames[2].frame.payload.empty());
    }
}

TEST(Frame, TheHeaderIsLittleEndianWithTheCrcOfHeaderAndPayload) {
    std::string wire;
    append_frame(wire, FrameType::kData, kFrameMore, 0x01020304u, "ab");
    ASSERT_EQ(wire.back(), '\0');
    auto raw = cobs_decode(std::string_view(wire).substr(0, wire.size() - 1));
    ASSERT_TRUE(raw.ok());
    const std::string expected_head =
        bytes({'E', 'A', 1, 6, 1, 0, 0x04, 0x03, 0x02, 0x01, 0x02, 0, 0, 0}) + "ab";
    ASSERT_EQ(raw->substr(0, 16), expected_head);
    const uint32_t crc = core::crc32(expected_head);
    EXPECT_EQ(raw->substr(16),
              bytes({static_cast<int>(crc & 0xFF), static_cast<int>((crc >> 8) & 0xFF),
                     static_cast<int>((crc >> 16) & 0xFF), static_cast<int>(crc >> 24)}));
}

TEST(Frame, AMessageLongerThanAFrameIsSplitWithMoreFlags) {
    std::string payload(1000, 'x');
    for (size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<char>('a' + i % 26);
    std::string wire;
    append_message(wire, FrameType::kData, 5, payload, 300);
    FrameReader reader(300);
    auto frames = read_all(reader, wire, 17);
    ASSERT_EQ(frames.size(), 4u); // 282 payload bytes per 300-byte frame
    std::string joined;
    for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].fault, FrameFault::kNone);
        EXPECT_EQ(frames[i].frame.flags, i + 1 < frames.size() ? kFrameMore : 0);
        EXPECT_LE(frames[i].frame.payload.size() + kFrameOverheadBytes, 300u);
        joined += frames[i].frame.payload;
    }
    EXPECT_EQ(joined, payload);
}

TEST(Frame, GarbageBetweenFramesIsDroppedAndTheNextFrameStillArrives) {
    std::string wire = "line noise";
    wire.push_back('\0');
    append_frame(wire, FrameType::kRequest, 0, 1, "one");
    wire += bytes({0x00, 0x00, 0x00}); // flushes: no frame, no fault
    wire += bytes({0x05, 0x01, 0x02});
    wire.push_back('\0'); // a block past the end: not COBS
    append_frame(wire, FrameType::kRequest, 0, 2, "two");
    FrameReader reader;
    auto frames = read_all(reader, wire, 5);
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(frames[0].fault, FrameFault::kEncoding); // 'l' (108) claims more bytes than follow
    EXPECT_EQ(frames[1].frame.payload, "one");
    EXPECT_EQ(frames[2].fault, FrameFault::kEncoding);
    EXPECT_EQ(frames[3].frame.payload, "two");
}

// A frame's raw bytes changed, then encoded again: what a sender with a bug
// (or noise that happens to keep the COBS structure) puts on the line.
std::string reframed(std::string_view wire, const std::function<void(std::string&)>& change) {
    auto raw = cobs_decode(wire.substr(0, wire.size() - 1));
    std::string r = *raw;
    change(r);
    std::string out;
    cobs_encode(r, out);
    out.push_back('\0');
    return out;
}

TEST(Frame, FaultsAfterTheHeaderNameTheRequest) {
    std::string good;
    append_frame(good, FrameType::kRequest, 0, 42, "payload");
    struct Case {
        const char* name;
        std::function<void(std::string&)> change;
        FrameFault fault;
        bool id_known;
    };
    const Case cases[] = {
        {"flipped payload bit", [](std::string& r) { r[15] ^= 0x10; }, FrameFault::kChecksum, true},
        {"length too long", [](std::string& r) { r[10] = 9; }, FrameFault::kLength, true},
        {"cut short", [](std::string& r) { r.resize(r.size() - 2); }, FrameFault::kLength, true},
        {"version 2",
         [](std::string& r) {
             r[2] = 2;
             const uint32_t crc = core::crc32(std::string_view(r).substr(0, r.size() - 4));
             for (int i = 0; i < 4; ++i)
                 r[r.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
         },
         FrameFault::kVersion, true},
        {"wrong magic", [](std::string& r) { r[0] = 'X'; }, FrameFault::kMagic, false},
        {"too short", [](std::string& r) { r.resize(10); }, FrameFault::kShort, false},
    };
    for (const Case& c : cases) {
        FrameReader reader;
        std::string wire = reframed(good, c.change) + good;
        auto frames = read_all(reader, wire, wire.size());
        ASSERT_EQ(frames.size(), 2u) << c.name;
        EXPECT_EQ(frames[0].fault, c.fault) << c.name;
        EXPECT_EQ(frames[0].id_known, c.id_known) << c.name;
        if (c.id_known) {
            EXPECT_EQ(frames[0].frame.id, 42u) << c.name;
        }
        EXPECT_EQ(frames[1].fault, FrameFault::kNone) << c.name;
        EXPECT_EQ(frames[1].frame.payload, "payload") << c.name;
    }
}

TEST(Frame, AnEndlessRunWithoutAZeroIsDroppedOnceAndBoundsTheBuffer) {
    FrameReader reader(256);
    std::vector<FrameResult> frames = read_all(reader, std::string(5000, 'A'), 100);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].fault, FrameFault::kOversize);
    std::string wire(1, '\0');
    append_frame(wire, FrameType::kRequest, 0, 3, "after");
    frames = read_all(reader, wire, 4);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].frame.payload, "after");
}

TEST(FrameMessage, ARequestMessageBecomesTheHttpRequestItStandsFor) {
    auto body = json_to_msgpack(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
    ASSERT_TRUE(body.ok());
    core::Headers h;
    h.add("authorization", "Bearer k");
    const std::string message = encode_request_message("POST", "/v1/chat/completions", h, *body);
    auto request = decode_request_message(message);
    ASSERT_TRUE(request.ok()) << request.status().message();
    EXPECT_EQ(request->method, "POST");
    EXPECT_EQ(request->target, "/v1/chat/completions");
    EXPECT_EQ(request->headers.get("authorization"), "Bearer k");
    EXPECT_EQ(request->headers.get("content-type"), "application/msgpack");
    EXPECT_EQ(request->headers.get("accept"), "application/msgpack");
    EXPECT_EQ(request->body, *body);
}

TEST(FrameMessage, BodiesAsTextOrBytesAndUnknownKeysIgnored) {
    // {"method":"POST","path":"/x","body":"{}","v2":[1]} written by hand.
    std::string m = bytes({0x84, 0xA6}) + "method" + bytes({0xA4}) + "POST" + bytes({0xA4}) +
                    "path" + bytes({0xA2}) + "/x" + bytes({0xA4}) + "body" + bytes({0xA2}) + "{}" +
                    bytes({0xA2}) + "v2" + bytes({0x91, 0x01});
    auto request = decode_request_message(m);
    ASSERT_TRUE(request.ok()) << request.status().message();
    EXPECT_EQ(request->body, "{}");
    EXPECT_EQ(request->headers.get("content-type"), "application/json");
    std::string b = bytes({0x83, 0xA6}) + "method" + bytes({0xA3}) + "GET" + bytes({0xA4}) +
                    "path" + bytes({0xA2}) + "/y" + bytes({0xA4}) + "body" + bytes({0xC4, 2, 0, 1});
    request = decode_request_message(b);
    ASSERT_TRUE(request.ok());
    EXPECT_EQ(request->body, bytes({0, 1}));
    EXPECT_FALSE(request->headers.has("content-type"));
}

TEST(FrameMessage, RefusesWhatWouldNotBeAnHttpRequest) {
    core::Headers none;
    const char* bad_paths[] = {"v1/models", "/v1 /models", "/v1/\r\nx"};
    for (const char* path : bad_paths)
        EXPECT_FALSE(decode_request_message(encode_request_message("GET", path, none, "")).ok())
            << path;
    EXPECT_FALSE(decode_request_message(encode_request_message("G T", "/", none, "")).ok());
    core::Headers injected;
    injected.add("x-a", "1\r\nx-b: 2");
    EXPECT_FALSE(decode_request_message(encode_request_message("GET", "/", injected, "")).ok());
    core::Headers bad_name;
    bad_name.add("x a", "1");
    EXPECT_FALSE(decode_request_message(encode_request_message("GET", "/", bad_name, "")).ok());
    EXPECT_FALSE(decode_request_message(bytes({0x91, 0x01})).ok());          // not a map
    EXPECT_FALSE(decode_request_message(bytes({0x81, 0xA4}) + "path").ok()); // truncated
    EXPECT_FALSE(decode_request_message(bytes({0x80})).ok());                // no method
    std::string trailing = encode_request_message("GET", "/", none, "") + "x";
    EXPECT_FALSE(decode_request_message(trailing).ok());
}

} // namespace
} // namespace edgeai::codec
