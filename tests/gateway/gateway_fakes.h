// Fakes the gateway tests share: a backend whose answers a test plays by hand
// through the observer, a writer that records what the client would get, and
// a fixture that wires a Gateway to them.
#pragma once

#include "gateway/gateway.h"
#include "gateway/response_cache.h"

#include "codec/json/json_document.h"
#include "core/clock.h"

#include <gtest/gtest.h>

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

// A backend whose answers the test plays by hand through the observer.
struct FakeBackend : router::Backend {
    std::vector<router::BackendRequest> requests;
    core::HttpResponseObserver* observer = nullptr;
    int resumes = 0;
    bool call_destroyed = false;
    core::Status fail_start;
    std::string_view name() const override { return "fake"; }
    core::Result<std::unique_ptr<core::HttpCall>> start(router::BackendRequest r,
                                                        core::HttpResponseObserver* o) override {
        if (!fail_start.ok()) return fail_start;
        requests.push_back(r);
        requests.back().client_headers = nullptr;
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

    void make_gateway(bool with_upstream) {
        GatewayDeps deps;
        deps.settings = &settings;
        deps.clock = &clock;
        deps.logger = &logger;
        deps.metrics = &metrics;
        deps.upstream = with_upstream ? &backend : nullptr;
        deps.id_seed = 7;
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

    core::Settings settings;
    core::ManualClock clock;
    NullSink sink;
    telemetry::Logger logger{sink, clock, core::LogLevel::kInfo};
    telemetry::MetricsRegistry metrics;
    FakeBackend backend;
    FakeWriter writer;
    std::vector<core::Header> extra_headers;
    ResponseCache* cache = nullptr;
    router::UsageStore* usage = nullptr;
    std::unique_ptr<Gateway> gateway;
};

} // namespace edgeai::gateway::testing_fakes
