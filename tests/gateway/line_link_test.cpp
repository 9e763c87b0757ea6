#include "gateway/line_link.h"

#include "codec/json/json_document.h"
#include "gateway_fakes.h"

#include <gtest/gtest.h>

namespace edgeai::gateway {
namespace {

using namespace testing_fakes;

struct PipeOutput : LinkOutput {
    std::string bytes;
    bool accept = true;
    bool send(std::string_view b) override {
        bytes.append(b);
        return accept;
    }
};

class LineLinkTest : public GatewayTest {
  protected:
    LineLinkTest() { open(); }

    void open(LineLinkOptions options = {}) {
        link.reset();
        link = std::make_unique<LineLink>(*gateway, executor, out, options);
    }

    // Every line written so far, each checked to be one JSON object.
    std::vector<std::string> lines() {
        std::vector<std::string> got;
        size_t at = 0;
        for (size_t nl; (nl = out.bytes.find('\n', at)) != std::string::npos; at = nl + 1) {
            got.push_back(out.bytes.substr(at, nl - at));
            auto doc = codec::JsonDocument::parse(got.back());
            EXPECT_TRUE(doc.ok() && doc->root().is_object()) << got.back();
        }
        EXPECT_EQ(at, out.bytes.size()) << "a line without its newline";
        out.bytes.clear();
        return got;
    }

    static bool has(const std::string& line, std::string_view part) {
        return line.find(part) != std::string::npos;
    }

    PipeOutput out;
    std::unique_ptr<LineLink> link;
};

constexpr const char* kStreamChat =
    R"({"id":"s","path":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}})"
    "\n";

TEST_F(LineLinkTest, ARequestLineIsAnsweredWithAHeadItsBodyAndAnEndCarryingItsId) {
    link->receive("{\"id\":1,\"path\":\"/healthz\"}\n");
    auto got = lines();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_TRUE(has(got[0], R"({"id":1,"type":"head","status":200)")) << got[0];
    EXPECT_TRUE(has(got[1], R"({"id":1,"type":"body","body":{)")) << got[1];
    EXPECT_EQ(got[2], R"({"id":1,"type":"end"})");
    executor.run_posted();
    EXPECT_EQ(link->in_flight(), 0u);
}

TEST_F(LineLinkTest, TheBodyGoesToTheBackendAsJsonInPiecesOfAnySize) {
    const std::string line =
        R"({"id":"c","method":"POST","path":"/v1/chat/completions","headers":{"x-a":"b"},)"
        R"("body":{"model":"m","messages":[{"role":"user","content":"hi"}]}})"
        "\n";
    for (char c : line)
        link->receive(std::string_view(&c, 1));
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_TRUE(has(backend.requests[0].body, "\"content\":\"hi\"")) << backend.requests[0].body;
    backend.answer(200, R"({"id":"c1","choices":[]})");
    auto got = lines();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[1], R"({"id":"c","type":"body","body":{"id":"c1","choices":[]}})");
}

TEST_F(LineLinkTest, AStreamIsOneLinePerEventAndPausesWithThePipe) {
    link->receive(kStreamChat);
    core::Headers h;
    h.add("content-type", "text/event-stream");
    backend.observer->on_head(200, h);
    (void)backend.observer->on_data("data: {\"a\":1}\n\ndata: {\"b\"");
    (void)backend.observer->on_data(":2}\n\n");
    auto got = lines();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_TRUE(has(got[0], "\"type\":\"head\""));
    EXPECT_EQ(got[1], R"({"id":"s","type":"event","data":{"a":1}})");
    EXPECT_EQ(got[2], R"({"id":"s","type":"event","data":{"b":2}})");
    out.accept = false;
    EXPECT_EQ(backend.observer->on_data("data: {\"c\":3}\n\n"), core::BodyAction::kPause);
    out.accept = true;
    link->on_drained();
    EXPECT_EQ(backend.resumes, 1);
    (void)backend.observer->on_data("data: [DONE]\n\n");
    backend.observer->on_complete({});
    got = lines();
    ASSERT_GE(got.size(), 3u);
    EXPECT_EQ(got[got.size() - 2], R"({"id":"s","type":"event","data":"[DONE]"})");
    EXPECT_EQ(got.back(), R"({"id":"s","type":"end"})");
}

TEST_F(LineLinkTest, CancelStopsTheWorkAndFreesTheId) {
    link->receive(kStreamChat);
    link->receive("{\"id\":\"s\",\"cancel\":true}\n");
    EXPECT_TRUE(backend.call_destroyed);
    auto got = lines();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(has(got[0], R"("id":"s","type":"error","error":{"code":"cancelled")")) << got[0];
    EXPECT_EQ(link->in_flight(), 0u);
}

TEST_F(LineLinkTest, BadLinesGetAnErrorWithTheirIdWhenThereIsOneAndTheLinkServesOn) {
    link->receive("not json\n");
    link->receive("{\"path\":\"/healthz\"}\n");
    link->receive("{\"id\":{},\"path\":\"/healthz\"}\n");
    link->receive("{\"id\":5,\"path\":\"healthz\"}\n");
    link->receive("{\"id\":6,\"path\":\"/healthz\",\"body_base64\":\"!!\"}\n");
    link->receive("\n  \n");
    auto got = lines();
    ASSERT_EQ(got.size(), 5u);
    EXPECT_TRUE(has(got[0], R"({"id":null,"type":"error","error":{"code":"bad_line")")) << got[0];
    EXPECT_TRUE(has(got[1], R"({"id":null,"type":"error","error":{"code":"missing_id")")) << got[1];
    EXPECT_TRUE(has(got[2], R"("code":"bad_line")")) << got[2];
    EXPECT_TRUE(has(got[3], R"({"id":5,"type":"error","error":{"code":"bad_line")")) << got[3];
    EXPECT_TRUE(has(got[4], R"({"id":6,"type":"error")")) << got[4];
    link->receive("{\"id\":7,\"path\":\"/no/such/route\"}\n");
    got = lines();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_TRUE(has(got[0], R"({"id":7,"type":"head","status":404)")) << got[0];
}

TEST_F(LineLinkTest, AnOverlongLineIsSkippedWithoutBeingKeptAndAnsweredByItsId) {
    LineLinkOptions options;
    options.max_line_bytes = 1000;
    open(options);
    link->receive(R"({"id":"big","path":"/v1/chat/completions","body":")");
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 16; ++i)
        link->receive(chunk);
    link->receive("\"}\n{\"id\":2,\"path\":\"/healthz\"}\n");
    auto got = lines();
    ASSERT_EQ(got.size(), 4u);
    EXPECT_TRUE(has(got[0], R"({"id":"big","type":"error","error":{"code":"line_too_long")"))
        << got[0];
    EXPECT_TRUE(has(got[1], R"({"id":2,"type":"head")"));
    EXPECT_TRUE(backend.requests.empty());
}

TEST_F(LineLinkTest, DuplicateIdsTooManyRequestsAndACutLastLineAreRefused) {
    LineLinkOptions options;
    options.max_in_flight = 1;
    open(options);
    link->receive(kStreamChat);
    link->receive(kStreamChat);
    link->receive("{\"id\":\"t\",\"path\":\"/v1/models\"}\n");
    link->receive("{\"id\":\"u\",\"path\":\"/v1/mod");
    link->end_of_input();
    auto got = lines();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_TRUE(has(got[0], R"({"id":"s","type":"error","error":{"code":"duplicate_id")"));
    EXPECT_TRUE(has(got[1], R"({"id":"t","type":"error","error":{"code":"too_many_requests")"));
    EXPECT_TRUE(has(got[2], R"({"id":"u","type":"error","error":{"code":"incomplete_line")"));
    EXPECT_EQ(link->in_flight(), 1u) << "the stream in flight is still answered";
}

} // namespace
} // namespace edgeai::gateway
