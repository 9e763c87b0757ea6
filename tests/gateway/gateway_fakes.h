// Fakes the gateway tests share: a backend whose answers a test plays by hand
// through the observer, a writer that records what the client would get, an
// executor whose posted work and timers run when the test says (with the
// manual clock, so backoffs take no real time), and a fixture that wires a
// Gateway to them through a real Router: the production request path.
#pragma once

#include "gateway/gateway.h"
#include "gateway/response_cache.h"

#include "codec/json/json_document.h"
#include "core/clock.h"
#include "core/executor.h"
#include "router/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace edgeai::gateway::testing_fakes {

struct NullSink : core::LogSink {
    std::vector<std::string> lines;
    void write_line(std::string_view line) override { lines.emplace_back(line); }
};

struct FakeCall : core::HttpCall {
    int* resumes;
    bool* destroyed;
    FakeCall(int* r, bool* d) : resumes(r), destroyed(d) {}
    ~FakeCall() override { *destroyed = true; }
    void resume() override { ++*resumes; }
};

// Posted work and timers, run by the test: run_posted() runs what is due now
// (and what that posts), advance_ms() moves the clock and runs what fell due.
struct ManualExecutor : core::Executor {
    struct Pending {
        int64_t due_ns;
        uint64_t order;
        std::function<void()> work;
        std::shared_ptr<bool> cancelled;
    };
    struct ManualTimer : core::Timer {
        std::shared_ptr<bool> cancelled;
        explicit ManualTimer(std::shared_ptr<bool> c) : cancelled(std::move(c)) {}
        ~ManualTimer() override { *cancelled = true; }
    };
    core::ManualClock* clock;
    std::vector<Pending> pending;
    uint64_t next_order = 0;

    explicit ManualExecutor(core::ManualClock* c) : clock(c) {}
    void post(std::function<void()> work) override {
        pending.push_back(
            {clock->monotonic_ns(), next_order++, std::move(work), std::make_shared<bool>(false)});
    }
    std::unique_ptr<core::Timer> post_after(int64_t delay_ms, std::function<void()> work) override {
        auto cancelled = std::make_shared<bool>(false);
        pending.push_back(
            {clock->monotonic_ns() + delay_ms * 1000000, next_order++, std::move(work), cancelled});
        return std::make_unique<ManualTimer>(cancelled);
    }
    // Runs every piece of work due by now, earliest first; returns how many ran.
    size_t run_posted() {
        size_t ran = 0;
        for (;;) {
            auto due = std::min_element(pending.begin(), pending.end(), [](auto& a, auto& b) {
                return a.due_ns != b.due_ns ? a.due_ns < b.due_ns : a.order < b.order;
            });
            if (due == pending.end() || due->due_ns > clock->monotonic_ns()) return ran;
            Pending p = std::move(*due);
            pending.erase(due);
            if (*p.cancelled) continue;
            p.work();
            ++ran;
        }
    }
    void advance_ms(int64_t ms) {
        clock->advance_ns(ms * 1000000);
        run_posted();
    }
    // Time until the next piece of work is due; -1 when none waits.
    int64_t next_due_ms() const {
        int64_t best = -1;
        for (const Pending& p : pending)
            if (!*p.cancelled && (best < 0 || p.due_ns < best)) best = p.due_ns;
        return best < 0 ? -1 : (best - clock->monotonic_ns()) / 1000000;
    }
};

// A backend whose answers the test plays by hand through the observer.
struct FakeBackend : router::Backend {
    std::string backend_name = "fake";
    std::vector<router::BackendRequest> requests;
    // The model of the decoded body each request came with ("" without one).
    std::vector<std::string> decoded_models;
    core::HttpResponseObserver* observer = nullptr;
    int resumes = 0;
    bool call_destroyed = false;
    core::Status fail_start;
    std::string_view name() const override { return backend_name; }
    // Plays a whole answer: head, body, end.
    void answer(int status, std::string_view body,
                std::string_view content_type = "application/json") {
        core::Headers h;
        h.add("content-type", std::string(content_type));
        core::HttpResponseObserver* o = observer;
        o->on_head(status, h);
        (void)o->on_data(body);
        o->on_complete(core::Status());
    }
    core::Result<std::unique_ptr<core::HttpCall>> start(router::BackendRequest r,
                                                        core::HttpResponseObserver* o) override {
        if (!fail_start.ok()) return fail_start;
        requests.push_back(r);
        requests.back().client_headers = nullptr;
        requests.back().decoded = nullptr; // valid during start() only
        const api::DecodedBody* d = r.decoded;
        decoded_models.push_back(d == nullptr    ? ""
                                 : d->chat       ? d->chat->model
                                 : d->completion ? d->completion->model
                                 : d->embedding  ? d->embedding->model
                                                 : "");
        observer = o;
        return std::unique_ptr<core::HttpCall>(new FakeCall(&resumes, &call_destroyed));
    }
};

struct FakeWriter : ResponseWriter {
    core::HttpResponse sent;
    bool was_sent = false;
    int stream_status = 0;
    core::Headers stream_headers;
    std::string streamed;
    bool stream_ended = false;
    bool accept_more = true;
    std::function<void()> drain;
    void send(core::HttpResponse r) override {
        sent = std::move(r);
        was_sent = true;
    }
    void start_stream(int status, core::Headers h) override {
        stream_status = status;
        stream_headers = std::move(h);
    }
    bool write(std::string_view bytes) override {
        streamed.append(bytes);
        return accept_more;
    }
    void end_stream() override { stream_ended = true; }
    void set_drain_callback(std::function<void()> cb) override { drain = std::move(cb); }
};

class GatewayTest : public ::testing::Test {
  protected:
    GatewayTest() { make_gateway(true); }

    // With an upstream: one backend of kind openai serving any model, as a
    // single --upstream is, with one attempt and no breaker.
    void make_gateway(bool with_upstream) {
        routing = core::Settings();
        backends.clear();
        if (with_upstream) {
            core::BackendSettings up;
            up.name = "upstream";
            up.kind = core::BackendKind::kOpenAi;
            up.models = {"*"};
            routing.backends.push_back(up);
            backends.push_back(&backend);
        }
        router::BreakerConfig breaker{UINT32_MAX, 1000};
        router::RetryPolicy retry;
        retry.max_attempts = 1;
        build(breaker, retry);
    }

    // Several backends and routes (`routing`, `backends` index for index).
    void build(router::BreakerConfig breaker, router::RetryPolicy retry) {
        gateway.reset();
        // A fresh registry: the gateway's gauges read this router.
        metrics = std::make_unique<telemetry::MetricsRegistry>();
        router = std::make_unique<router::Router>(routing, backends, clock, breaker, retry);
        GatewayDeps deps;
        deps.settings = &settings;
        deps.clock = &clock;
        deps.logger = &logger;
        deps.metrics = metrics.get();
        deps.router = router.get();
        deps.executor = &executor;
        deps.random = &random;
        deps.cache = cache;
        deps.usage = usage;
        gateway = std::make_unique<Gateway>(deps);
    }

    std::unique_ptr<RequestTask> handle(std::string method, std::string target,
                                        std::string body = "",
                                        std::string content_type = "application/json") {
        core::HttpRequest r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.body = std::move(body);
        if (!content_type.empty()) r.headers.add("content-type", content_type);
        for (auto& h : extra_headers)
            r.headers.add(h.name, h.value);
        return gateway->handle(std::move(r), &writer);
    }

    std::string error_param() {
        auto doc = codec::JsonDocument::parse(writer.sent.body);
        EXPECT_TRUE(doc.ok());
        return std::string(doc->root()["error"]["param"].as_string());
    }
    std::string error_code() {
        auto doc = codec::JsonDocument::parse(writer.sent.body);
        EXPECT_TRUE(doc.ok());
        return std::string(doc->root()["error"]["code"].as_string());
    }

    core::Settings settings;
    core::Settings routing; // the router's backends and routes
    core::ManualClock clock;
    ManualExecutor executor{&clock};
    core::SeededRandom random{7};
    NullSink sink;
    telemetry::Logger logger{sink, clock, core::LogLevel::kInfo};
    std::unique_ptr<telemetry::MetricsRegistry> metrics;
    FakeBackend backend;
    std::vector<router::Backend*> backends;
    FakeWriter writer;
    std::vector<core::Header> extra_headers;
    ResponseCache* cache = nullptr;
    router::UsageStore* usage = nullptr;
    std::unique_ptr<router::Router> router;
    std::unique_ptr<Gateway> gateway;
};

} // namespace edgeai::gateway::testing_fakes
