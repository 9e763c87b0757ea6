#include "gateway/frame_link.h"

#include "codec/frame/frame_message.h"
#include "codec/msgpack/msgpack_json.h"
#include "gateway_fakes.h"

#include <gtest/gtest.h>

namespace edgeai::gateway {
namespace {

using namespace testing_fakes;

// What the shell would write to the wire, and whether its queue is full.
struct WireOutput : LinkOutput {
    std::string bytes;
    bool accept = true;
    bool send(std::string_view b) override {
        bytes.append(b);
        return accept;
    }
};

class FrameLinkTest : public GatewayTest {
  protected:
    FrameLinkTest() { open(); }

    void open(FrameLinkOptions options = {}) {
        link.reset();
        if (options.peer.empty()) options.peer = "unix:/run/edgeai.sock";
        link = std::make_unique<FrameLink>(*gateway, executor, out, *metrics, options);
    }

    void request(uint32_t id, std::string_view method, std::string_view path,
                 std::string_view json_body = "") {
        std::string body;
        if (!json_body.empty()) body = *codec::json_to_msgpack(json_body);
        std::string wire;
        codec::append_message(wire, codec::FrameType::kRequest, id,
                              codec::encode_request_message(method, path, {}, body),
                              codec::kDefaultMaxFrameBytes);
        link->receive(wire);
    }

    // Every frame written so far, taken off the wire.
    std::vector<codec::Frame> frames() {
        codec::FrameReader reader;
        reader.feed(out.bytes);
        out.bytes.clear();
        std::vector<codec::Frame> got;
        codec::FrameResult r;
        while (reader.next(r)) {
            EXPECT_EQ(r.fault, codec::FrameFault::kNone);
            got.push_back(std::move(r.frame));
        }
        return got;
    }

    static std::string as_json(std::string_view msgpack) {
        auto json = codec::msgpack_to_json(msgpack);
        return json.ok() ? *json : "<" + json.status().message() + ">";
    }

    WireOutput out;
    std::unique_ptr<FrameLink> link;
};

constexpr const char* kStreamChat =
    R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true})";

TEST_F(FrameLinkTest, ARequestIsAnsweredWithAHeadItsBodyAndAnEnd) {
    request(1, "GET", "/healthz");
    auto got = frames();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].type, codec::FrameType::kHead);
    EXPECT_EQ(got[0].id, 1u);
    const std::string head = as_json(got[0].payload);
    EXPECT_NE(head.find("\"status\":200"), std::string::npos) << head;
    EXPECT_NE(head.find("x-request-id"), std::string::npos) << head;
    EXPECT_EQ(got[1].type, codec::FrameType::kData);
    EXPECT_EQ(got[2].type, codec::FrameType::kEnd);
    executor.run_posted();
    EXPECT_EQ(link->in_flight(), 0u);
}

TEST_F(FrameLinkTest, TheBodyGoesUpstreamAsJsonAndTheAnswerComesBackInMsgpack) {
    request(4, "POST", "/v1/chat/completions",
            R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_NE(backend.requests[0].body.find("\"content\":\"hi\""), std::string::npos)
        << backend.requests[0].body;
    EXPECT_EQ(link->in_flight(), 1u);
    backend.answer(200, R"({"id":"c1","choices":[]})");
    auto got = frames();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_NE(as_json(got[0].payload).find("application/msgpack"), std::string::npos);
    EXPECT_EQ(as_json(got[1].payload), R"({"id":"c1","choices":[]})");
    EXPECT_EQ(got[2].type, codec::FrameType::kEnd);
}

TEST_F(FrameLinkTest, AStreamIsOneDataMessagePerEventAndPausesWithTheLink) {
    request(2, "POST", "/v1/chat/completions", kStreamChat);
    core::Headers h;
    h.add("content-type", "text/event-stream");
    backend.observer->on_head(200, h);
    (void)backend.observer->on_data("data: {\"a\":1}\n\ndata: {\"b\":2}\n\n");
    auto got = frames();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].type, codec::FrameType::kHead);
    EXPECT_EQ(as_json(got[1].payload), R"({"a":1})");
    EXPECT_EQ(as_json(got[2].payload), R"({"b":2})");
    // The link's queue is full: the upstream pauses until it drains.
    out.accept = false;
    EXPECT_EQ(backend.observer->on_data("data: {\"c\":3}\n\n"), core::BodyAction::kPause);
    EXPECT_EQ(backend.resumes, 0);
    out.accept = true;
    link->on_drained();
    EXPECT_EQ(backend.resumes, 1);
    (void)backend.observer->on_data("data: [DONE]\n\n");
    backend.observer->on_complete({});
    got = frames();
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.back().type, codec::FrameType::kEnd);
}

TEST_F(FrameLinkTest, CancelStopsTheWorkAndFreesTheId) {
    request(3, "POST", "/v1/chat/completions", kStreamChat);
    std::string wire;
    codec::append_frame(wire, codec::FrameType::kCancel, 0, 3, "");
    link->receive(wire);
    EXPECT_TRUE(backend.call_destroyed);
    auto got = frames();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type, codec::FrameType::kError);
    EXPECT_NE(as_json(got[0].payload).find("\"cancelled\""), std::string::npos);
    EXPECT_EQ(link->in_flight(), 0u);
    request(3, "GET", "/healthz");
    EXPECT_EQ(frames().size(), 3u);
}

TEST_F(FrameLinkTest, ARequestSplitOverFramesIsGatheredFirst) {
    const std::string big(5000, 'x');
    const std::string json =
        R"({"model":"m","messages":[{"role":"user","content":")" + big + R"("}]})";
    std::string wire;
    codec::append_message(wire, codec::FrameType::kRequest, 9,
                          codec::encode_request_message("POST", "/v1/chat/completions", {},
                                                        *codec::json_to_msgpack(json)),
                          1024);
    FrameLinkOptions options;
    options.max_frame_bytes = 1024;
    open(options);
    link->receive(wire.substr(0, wire.size() / 2));
    EXPECT_TRUE(backend.requests.empty());
    EXPECT_EQ(link->in_flight(), 1u);
    link->receive(wire.substr(wire.size() / 2));
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_NE(backend.requests[0].body.find(big), std::string::npos);
}

TEST_F(FrameLinkTest, BrokenFramesAreCountedAndTheSenderToldWhenTheIdIsKnown) {
    std::string wire;
    codec::append_frame(wire, codec::FrameType::kRequest, 0, 5, "{}");
    wire[wire.size() - 3] ^= 0x01; // inside the CRC
    link->receive("noise\x01\x02");
    link->receive(std::string(1, '\0') + wire);
    auto got = frames();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type, codec::FrameType::kError);
    EXPECT_EQ(got[0].id, 5u);
    EXPECT_NE(as_json(got[0].payload).find("\"bad_frame\""), std::string::npos);
    const std::string text = metrics->render();
    EXPECT_NE(text.find(R"(edgeai_link_frames_dropped_total{link="unix",reason="checksum"} 1)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(reason="encoding"} 1)"), std::string::npos);
    request(6, "GET", "/healthz");
    EXPECT_EQ(frames().size(), 3u) << "the link still serves";
}

TEST_F(FrameLinkTest, BadMessagesDuplicateIdsAndTooManyRequestsAreRefusedByErrorFrames) {
    std::string wire;
    codec::append_frame(wire, codec::FrameType::kRequest, 0, 1, "\x91\x01");
    link->receive(wire);
    auto got = frames();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(as_json(got[0].payload).find("\"bad_request\""), std::string::npos);

    FrameLinkOptions options;
    options.max_in_flight = 2;
    open(options);
    request(1, "POST", "/v1/chat/completions", kStreamChat);
    request(1, "POST", "/v1/chat/completions", kStreamChat);
    request(2, "POST", "/v1/chat/completions", kStreamChat);
    request(3, "POST", "/v1/chat/completions", kStreamChat);
    got = frames();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_NE(as_json(got[0].payload).find("\"duplicate_id\""), std::string::npos);
    EXPECT_EQ(got[1].id, 3u);
    EXPECT_NE(as_json(got[1].payload).find("\"too_many_requests\""), std::string::npos);
}

TEST_F(FrameLinkTest, PingIsAnsweredWithItsPayload) {
    std::string wire;
    codec::append_frame(wire, codec::FrameType::kPing, 0, 77, "t=1");
    link->receive(wire);
    auto got = frames();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type, codec::FrameType::kPong);
    EXPECT_EQ(got[0].id, 77u);
    EXPECT_EQ(got[0].payload, "t=1");
}

TEST_F(FrameLinkTest, ClosingTheLinkCancelsWhatIsInFlight) {
    request(1, "POST", "/v1/chat/completions", kStreamChat);
    link.reset();
    EXPECT_TRUE(backend.call_destroyed);
}

} // namespace
} // namespace edgeai::gateway
