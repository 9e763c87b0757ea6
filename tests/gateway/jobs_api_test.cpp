#include "gateway/job_runner.h"
#include "gateway/jobs_api.h"

#include "core/id_maker.h"
#include "queue/job.h"

#include "codec/json/json_document.h"

#include <gtest/gtest.h>

namespace edgeai::gateway {
namespace {

TEST(PreferHeader, RespondAsyncAmongOtherPreferences) {
    EXPECT_TRUE(prefers_async("respond-async"));
    EXPECT_TRUE(prefers_async("Respond-Async"));
    EXPECT_TRUE(prefers_async("wait=10, respond-async"));
    EXPECT_TRUE(prefers_async("handling=lenient,respond-async ; x=1"));
    EXPECT_FALSE(prefers_async(""));
    EXPECT_FALSE(prefers_async("return=minimal"));
    EXPECT_FALSE(prefers_async("respond-asynchronously"));
}

core::HttpRequest post(std::vector<core::Header> headers) {
    core::HttpRequest r;
    r.method = "POST";
    r.target = "/v1/chat/completions?x=1";
    for (auto& h : headers)
        r.headers.add(h.name, h.value);
    return r;
}

const core::net::DestinationPolicy kPublicOnly;

TEST(JobForRequest, TakesItsSettingsFromHeadersAndNamesABadOne) {
    auto job = job_for_request(post({{"idempotency-key", "k1"},
                                     {"x-edgeai-priority", "-7"},
                                     {"x-edgeai-callback-url", "https://hooks.example/done"}}),
                               "{}", "m", "job_x", 1000, 500, kPublicOnly);
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(job->path, "/v1/chat/completions");
    EXPECT_EQ(job->idempotency_key, "k1");
    EXPECT_EQ(job->priority, -7);
    EXPECT_EQ(job->callback_url, "https://hooks.example/done");
    EXPECT_EQ(job->expires_ms, 1500);
    EXPECT_EQ(job->status, queue::JobStatus::kQueued);

    for (const char* bad : {"high", "101", "1.5", ""}) {
        if (*bad == '\0') continue;
        auto r =
            job_for_request(post({{"x-edgeai-priority", bad}}), "{}", "m", "j", 0, 1, kPublicOnly);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.status().field(), "x-edgeai-priority");
    }
    auto url = job_for_request(post({{"x-edgeai-callback-url", "ftp://x"}}), "{}", "m", "j", 0, 1,
                               kPublicOnly);
    EXPECT_EQ(url.status().field(), "x-edgeai-callback-url");
}

TEST(CheckedCallbackUrl, RefusesLiteralsThePolicyRefusesAndNormalises) {
    for (const char* refused :
         {"http://127.0.0.1/h", "http://0x7f000001/h", "http://127.1/h", "http://017700000001/",
          "http://2130706433/", "http://[::1]/h", "http://[::ffff:127.0.0.1]/",
          "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://0.0.0.0/",
          "http://[64:ff9b::7f00:1]/", "http://user:pw@example.com/", "http://example.com/a b"}) {
        auto r = checked_callback_url(refused, kPublicOnly);
        ASSERT_FALSE(r.ok()) << refused;
        EXPECT_EQ(r.status().field(), "x-edgeai-callback-url") << refused;
        EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
    }
    // A name is judged when it is resolved, at delivery.
    EXPECT_EQ(*checked_callback_url("http://LocalHost:9/x", kPublicOnly), "http://localhost:9/x");
    EXPECT_EQ(*checked_callback_url("https://8.8.8.8", kPublicOnly), "https://8.8.8.8/");

    std::vector<std::string> allow{"127.0.0.1/32"};
    auto policy = core::net::DestinationPolicy::from_allow_list(allow);
    ASSERT_TRUE(policy.ok());
    EXPECT_EQ(*checked_callback_url("http://127.1:9000/h", *policy), "http://127.0.0.1:9000/h");
    EXPECT_FALSE(checked_callback_url("http://[::1]:9000/h", *policy).ok());
}

TEST(JobJson, ShowsTheAnswerOnceTheJobEnded) {
    queue::Job job;
    core::SeededRandom random(42);
    job.id = core::make_id(core::IdKind::kJob, random);
    EXPECT_EQ(job.id.size(), 28u);
    EXPECT_NE(job.id, core::make_id(core::IdKind::kJob, random));
    job.path = "/v1/chat/completions";
    job.result_status = 200;
    job.result_body = R"({"object":"chat.completion"})";
    auto running = codec::JsonDocument::parse(queue::job_json(job));
    ASSERT_TRUE(running.ok());
    EXPECT_TRUE(running->root()["response"].is_missing()) << "not before it ended";
    EXPECT_TRUE(running->root()["last_error"].is_null());
    job.status = queue::JobStatus::kSucceeded;
    auto done = codec::JsonDocument::parse(queue::job_json(job));
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done->root()["status"].as_string(), "succeeded");
    EXPECT_EQ(done->root()["response"]["object"].as_string(), "chat.completion");
    job.result_body = "data: {}\n\ndata: [DONE]\n\n"; // a streamed answer
    auto streamed = codec::JsonDocument::parse(queue::job_json(job));
    ASSERT_TRUE(streamed.ok());
    EXPECT_EQ(streamed->root()["response"].as_string(), job.result_body);
    for (auto s :
         {queue::JobStatus::kQueued, queue::JobStatus::kRunning, queue::JobStatus::kSucceeded,
          queue::JobStatus::kFailed, queue::JobStatus::kCancelled, queue::JobStatus::kExpired})
        EXPECT_EQ(queue::parse_job_status(queue::job_status_name(s)), s);
    EXPECT_FALSE(queue::parse_job_status("lost"));
}

TEST(JobRunnerBackoff, DoublesUpToTheCapLessSomeJitter) {
    JobRunnerOptions o;
    o.backoff_base_ms = 100;
    o.backoff_max_ms = 1000;
    EXPECT_EQ(JobRunner::backoff_ms(o, 1, 0), 100);
    EXPECT_EQ(JobRunner::backoff_ms(o, 2, 0), 200);
    EXPECT_EQ(JobRunner::backoff_ms(o, 3, 0), 400);
    EXPECT_EQ(JobRunner::backoff_ms(o, 10, 0), 1000);
    EXPECT_EQ(JobRunner::backoff_ms(o, 60, 0), 1000) << "no overflow";
    for (uint64_t r = 0; r < 1000; r += 37) {
        const int64_t d = JobRunner::backoff_ms(o, 2, r);
        EXPECT_GE(d, 160);
        EXPECT_LE(d, 200);
    }
    o.backoff_base_ms = 0;
    EXPECT_EQ(JobRunner::backoff_ms(o, 3, 12345), 0);
}

} // namespace
} // namespace edgeai::gateway
