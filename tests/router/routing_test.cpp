// The routing decisions, without sockets: which route a request takes, the
// order each strategy gives its targets, circuit breakers, and the retry
// policy's classification and delays.
#include "core/config/config_loader.h"
#include "router/circuit_breaker.h"
#include "router/retry_policy.h"
#include "router/route_planner.h"
#include "router/router.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace edgeai::router {
namespace {

const char* kConfig = R"(
[[backends]]
name = "cloud"
kind = "openai"
base_url = "https://api.example.com/v1"
models = ["gpt-4o-mini", "gpt-4o"]
price = { input_per_mtok = 0.15, output_per_mtok = 0.60 }

[[backends]]
name = "pricey"
kind = "openai"
base_url = "https://other.example/v1"
models = ["*"]
price = { input_per_mtok = 5, output_per_mtok = 15 }

[[backends]]
name = "local"
kind = "local"
models = { qwen = "qwen.gguf" }

[[backends]]
name = "claude"
kind = "anthropic"
base_url = "https://api.anthropic.example/v1"
models = ["claude-haiku"]

[[routes]]
model = "chat"
strategy = "fallback"
targets = ["local:qwen", "cloud:gpt-4o-mini"]
max_prompt_tokens = 2000
when_offline = "local:qwen"

[[routes]]
model = "chat"
targets = ["cloud:gpt-4o", "claude:claude-haiku"]

[[routes]]
model = "premium-*"
strategy = "weighted"
targets = ["cloud:gpt-4o", "claude:claude-haiku", "pricey:big"]
weights = [6, 3, 1]
when_header = "x-tier: premium"

[[routes]]
model = "fast"
strategy = "least-latency"
targets = ["cloud:gpt-4o-mini", "claude:claude-haiku", "pricey:small"]

[[routes]]
model = "cheap"
strategy = "cheapest"
targets = ["pricey:small", "claude:claude-haiku", "cloud:gpt-4o-mini", "local:qwen"]

[[routes]]
model = "edge"
strategy = "local-first"
targets = ["cloud:gpt-4o-mini", "local:qwen"]

[[routes]]
model = "kiosk"
targets = ["local:qwen"]
when_keys = ["kiosk-*"]
)";

class Routing : public ::testing::Test {
  protected:
    void SetUp() override {
        core::ConfigBuilder b;
        core::Status s = b.apply_toml(kConfig, "routes.toml");
        ASSERT_TRUE(s.ok()) << s.message();
        settings_ = b.settings();
        planner_ = std::make_unique<RoutePlanner>(settings_);
        state_.assign(settings_.backends.size(), BackendView{});
    }

    std::vector<std::string> order(const RouteFacts& facts, uint64_t random = 1) {
        std::vector<std::string> out;
        for (const Attempt& a : planner_->plan(facts, state_, random).attempts)
            out.push_back(settings_.backends[a.backend].name + ":" + a.model);
        return out;
    }

    size_t index(const char* name) { return planner_->backend_index(name); }

    core::Settings settings_;
    std::unique_ptr<RoutePlanner> planner_;
    std::vector<BackendView> state_;
};

using Order = std::vector<std::string>;

TEST_F(Routing, FallbackKeepsTheListedOrder) {
    EXPECT_EQ(order({.model = "chat", .prompt_tokens = 100}),
              (Order{"local:qwen", "cloud:gpt-4o-mini"}));
}

TEST_F(Routing, ConditionsPickTheNextRouteForTheSameModel) {
    // Too long for the first route's max_prompt_tokens: the second applies.
    EXPECT_EQ(order({.model = "chat", .prompt_tokens = 5000}),
              (Order{"cloud:gpt-4o", "claude:claude-haiku"}));
    // A header condition: without it the model matches no route.
    core::Headers premium;
    premium.add("X-Tier", "premium");
    EXPECT_EQ(order({.model = "premium-x", .headers = &premium}).size(), 3u);
    core::Headers basic;
    basic.add("x-tier", "basic");
    EXPECT_EQ(planner_->match({.model = "premium-x", .headers = &basic}), nullptr);
    // A key condition, by id or by name.
    EXPECT_EQ(planner_->match({.model = "kiosk"}), nullptr);
    EXPECT_NE(planner_->match({.model = "kiosk", .key_name = "kiosk-3"}), nullptr);
    EXPECT_NE(planner_->match({.model = "kiosk", .key_id = "kiosk-a1"}), nullptr);
    EXPECT_EQ(planner_->match({.model = "kiosk", .key_id = "ops", .key_name = "ops"}), nullptr);
}

TEST_F(Routing, OfflineUsesTheRoutesOfflineTargets) {
    EXPECT_EQ(order({.model = "chat", .prompt_tokens = 10, .offline = true}),
              (Order{"local:qwen"}));
    // A route without when_offline keeps its targets (they fail fast offline).
    EXPECT_EQ(order({.model = "fast", .offline = true}).size(), 3u);
}

TEST_F(Routing, UnroutedModelsGoToTheFirstBackendServingThem) {
    EXPECT_EQ(order({.model = "gpt-4o"}), (Order{"cloud:gpt-4o"}));
    EXPECT_EQ(order({.model = "qwen"}), (Order{"pricey:qwen"})); // "*" comes before local
    EXPECT_EQ(order({.model = "claude-haiku"}), (Order{"pricey:claude-haiku"}));
}

TEST_F(Routing, WeightedOrderFollowsTheWeights) {
    core::Headers premium;
    premium.add("x-tier", "premium");
    std::map<std::string, int> first;
    for (uint64_t r = 0; r < 10000; ++r)
        ++first[order({.model = "premium-1", .headers = &premium}, r * 7919)[0]];
    // 6 : 3 : 1, within a few percent over 10000 draws.
    EXPECT_NEAR(first["cloud:gpt-4o"], 6000, 300);
    EXPECT_NEAR(first["claude:claude-haiku"], 3000, 300);
    EXPECT_NEAR(first["pricey:big"], 1000, 200);
    // Every order still holds every target once.
    Order o = order({.model = "premium-1", .headers = &premium}, 42);
    std::sort(o.begin(), o.end());
    EXPECT_EQ(o, (Order{"claude:claude-haiku", "cloud:gpt-4o", "pricey:big"}));
}

TEST_F(Routing, LeastLatencyTriesTheFastestFirstAndUnmeasuredBeforeAll) {
    state_[index("cloud")].ttft_ms = 300;
    state_[index("claude")].ttft_ms = 120;
    state_[index("pricey")].ttft_ms = 900;
    EXPECT_EQ(order({.model = "fast"}),
              (Order{"claude:claude-haiku", "cloud:gpt-4o-mini", "pricey:small"}));
    state_[index("pricey")].ttft_ms = -1; // no measurement yet
    EXPECT_EQ(order({.model = "fast"})[0], "pricey:small");
}

TEST_F(Routing, CheapestOrdersByPriceForTheRequest) {
    // local (free) < cloud (priced, cheap) < pricey < claude (no price: last).
    EXPECT_EQ(order({.model = "cheap", .prompt_tokens = 1000, .max_tokens = 500}),
              (Order{"local:qwen", "cloud:gpt-4o-mini", "pricey:small", "claude:claude-haiku"}));
}

TEST_F(Routing, LocalFirstWhileTheLocalModelHasRoomElseTheNext) {
    state_[index("local")].context_tokens = 2048;
    EXPECT_EQ(order({.model = "edge", .prompt_tokens = 100, .max_tokens = 100}),
              (Order{"local:qwen", "cloud:gpt-4o-mini"}));
    // Too long for the local context.
    EXPECT_EQ(order({.model = "edge", .prompt_tokens = 2000, .max_tokens = 100}),
              (Order{"cloud:gpt-4o-mini", "local:qwen"}));
    // No free slot.
    state_[index("local")].has_free_slot = false;
    EXPECT_EQ(order({.model = "edge", .prompt_tokens = 100, .max_tokens = 100}),
              (Order{"cloud:gpt-4o-mini", "local:qwen"}));
}

TEST_F(Routing, OpenBreakersAreLeftOutAndReported) {
    state_[index("local")].available = false;
    Plan plan = planner_->plan({.model = "chat", .prompt_tokens = 10}, state_, 1);
    ASSERT_EQ(plan.attempts.size(), 1u);
    EXPECT_EQ(settings_.backends[plan.attempts[0].backend].name, "cloud");
    EXPECT_EQ(plan.unavailable, std::vector<size_t>{index("local")});
}

// The Router turns live counts into the planner's view: a remote backend at
// its max_concurrency is skipped, a local one with every slot busy goes last
// under local-first, and an open breaker leaves its backend out.
TEST_F(Routing, RouterSkipsFullBackendsAndBusyLocalSlots) {
    core::ManualClock clock;
    Router router(settings_, std::vector<Backend*>(settings_.backends.size(), nullptr), clock);
    // No Backend behind a configured name: nothing to try.
    EXPECT_TRUE(router.plan({.model = "chat", .prompt_tokens = 10}, 1).attempts.empty());

    struct Nothing final : Backend {
        std::string_view name() const override { return "n"; }
        core::Result<std::unique_ptr<core::HttpCall>> start(BackendRequest,
                                                            core::HttpResponseObserver*) override {
            return core::unavailable("not for calling");
        }
    } backend;
    Router live(settings_, std::vector<Backend*>(settings_.backends.size(), &backend), clock);
    auto names = [&](const Plan& plan) {
        Order out;
        for (const Attempt& a : plan.attempts)
            out.push_back(settings_.backends[a.backend].name);
        return out;
    };
    RoutedBackend& local = live.at(index("local"));
    local.slots = 2;
    local.context_tokens = 4096;
    EXPECT_EQ(names(live.plan({.model = "edge", .prompt_tokens = 10}, 1)),
              (Order{"local", "cloud"}));
    local.in_flight = 2; // both slots busy: the cloud first, local still behind it
    EXPECT_EQ(names(live.plan({.model = "edge", .prompt_tokens = 10}, 1)),
              (Order{"cloud", "local"}));
    RoutedBackend& cloud = live.at(index("cloud"));
    cloud.max_in_flight = 3;
    cloud.in_flight = 3; // full: left out, like an open breaker
    EXPECT_EQ(names(live.plan({.model = "edge", .prompt_tokens = 10}, 1)), (Order{"local"}));
    cloud.in_flight = 0;
    for (int i = 0; i < 5; ++i)
        live.record_failure(index("cloud"));
    EXPECT_EQ(names(live.plan({.model = "edge", .prompt_tokens = 10}, 1)), (Order{"local"}));
    clock.advance_ns(int64_t{31} * 1000000000); // the cool-down is over: a probe may go
    EXPECT_EQ(names(live.plan({.model = "edge", .prompt_tokens = 10}, 1)),
              (Order{"cloud", "local"}));
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresThenProbesOnce) {
    CircuitBreaker b({.failure_threshold = 3, .cooldown_ms = 1000});
    const int64_t ms = 1000000;
    EXPECT_TRUE(b.acquire(0));
    b.record_failure(0);
    b.record_failure(1 * ms);
    b.record_success(); // a success resets the count
    b.record_failure(2 * ms);
    b.record_failure(3 * ms);
    EXPECT_EQ(b.state(3 * ms), CircuitBreaker::State::kClosed);
    b.record_failure(4 * ms);
    EXPECT_EQ(b.state(4 * ms), CircuitBreaker::State::kOpen);
    EXPECT_FALSE(b.acquire(500 * ms));
    // After the cool-down: one probe, and no second while it is out.
    EXPECT_EQ(b.state(1004 * ms), CircuitBreaker::State::kHalfOpen);
    EXPECT_TRUE(b.acquire(1004 * ms));
    EXPECT_FALSE(b.acquire(1005 * ms));
    // The probe fails: open for another cool-down from then.
    b.record_failure(1100 * ms);
    EXPECT_EQ(b.state(2000 * ms), CircuitBreaker::State::kOpen);
    EXPECT_TRUE(b.acquire(2100 * ms));
    b.record_success();
    EXPECT_EQ(b.state(2100 * ms), CircuitBreaker::State::kClosed);
    EXPECT_TRUE(b.acquire(2101 * ms));
    EXPECT_TRUE(b.acquire(2101 * ms));
}

TEST(CircuitBreaker, AnAbandonedProbeFreesTheWayForAnother) {
    CircuitBreaker b({.failure_threshold = 1, .cooldown_ms = 10});
    b.record_failure(0);
    EXPECT_TRUE(b.acquire(20000000));
    EXPECT_FALSE(b.available(20000000));
    b.record_abandoned();
    EXPECT_TRUE(b.acquire(20000001));
}

TEST(RetryPolicy, OnlyFailuresThatSayNothingAboutTheRequestAreRetried) {
    for (int s : {408, 429, 500, 502, 503, 504, 599})
        EXPECT_TRUE(is_retryable_status(s)) << s;
    for (int s : {200, 400, 401, 403, 404, 413, 422})
        EXPECT_FALSE(is_retryable_status(s)) << s;
    EXPECT_TRUE(is_retryable_failure(core::StatusCode::kUnavailable));
    EXPECT_TRUE(is_retryable_failure(core::StatusCode::kDeadlineExceeded));
    EXPECT_FALSE(is_retryable_failure(core::StatusCode::kInvalidArgument));
    EXPECT_FALSE(is_retryable_failure(core::StatusCode::kCancelled));
}

TEST(RetryPolicy, DelaysGrowWithJitterAndHonourRetryAfter) {
    RetryPolicy p;
    for (uint64_t r : {0ull, 12345ull, ~0ull}) {
        const int64_t d1 = *backoff_delay_ms(p, 1, r, std::nullopt);
        const int64_t d3 = *backoff_delay_ms(p, 3, r, std::nullopt);
        EXPECT_GE(d1, 50);
        EXPECT_LE(d1, 100);
        EXPECT_GE(d3, 200);
        EXPECT_LE(d3, 400);
        EXPECT_LE(*backoff_delay_ms(p, 30, r, std::nullopt), p.max_delay_ms);
    }
    EXPECT_EQ(*backoff_delay_ms(p, 1, 0, 2000), 2000);          // Retry-After asks for more
    EXPECT_EQ(*backoff_delay_ms(p, 1, 0, 10), 50);              // the step is longer
    EXPECT_FALSE(backoff_delay_ms(p, 1, 0, 60000).has_value()); // longer than we wait
}

TEST(RetryPolicy, RetryAfterIsSecondsOrAnHttpDate) {
    EXPECT_EQ(parse_retry_after_ms("2", 0), 2000);
    EXPECT_EQ(parse_retry_after_ms(" 0 ", 0), 0);
    // 1994-11-06 08:49:37 UTC is 784111777.
    EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111770), 7000);
    EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111800), 0); // past
    EXPECT_FALSE(parse_retry_after_ms("soon", 0).has_value());
    EXPECT_FALSE(parse_retry_after_ms("-3", 0).has_value());
    EXPECT_FALSE(parse_retry_after_ms("", 0).has_value());
    EXPECT_FALSE(parse_retry_after_ms("Sun, 06 Foo 1994 08:49:37 GMT", 0).has_value());
}

} // namespace
} // namespace edgeai::router
