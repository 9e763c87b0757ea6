// The routing decision's cost: Router::plan for a gateway with 20 backends and
// 100 routes (exact names and globs, some with conditions), for a model the
// first route serves, one only the last route serves, one no route names
// (found by scanning the backends), and a weighted route. Run by
// bench/routing.sh, which writes the table into docs/benchmarks.md.
#include "core/clock.h"
#include "core/config/config_loader.h"
#include "router/router.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

namespace {

using namespace edgeai;

// 20 backends serving 5 models each; 100 routes: every fifth a glob, every
// seventh with a header condition, the last weighted.
std::string config_text() {
    std::string t;
    for (int b = 0; b < 20; ++b) {
        t += "[[backends]]\nname = \"backend" + std::to_string(b) +
             "\"\nkind = \"openai\"\nbase_url = \"http://10.0.0." + std::to_string(b) +
             ":8000/v1\"\nmodels = [";
        for (int m = 0; m < 5; ++m)
            t += (m ? ", " : "") + std::string("\"model-") + std::to_string(b) + "-" +
                 std::to_string(m) + "\"";
        t += "]\nprice = { input_per_mtok = " + std::to_string(b + 1) +
             ", output_per_mtok = " + std::to_string(2 * b + 2) + " }\n\n";
    }
    for (int r = 0; r < 100; ++r) {
        const int b1 = r % 20, b2 = (r + 7) % 20, b3 = (r + 13) % 20;
        t += "[[routes]]\nmodel = \"" + std::string(r % 5 == 4 ? "family-" : "route-") +
             std::to_string(r) + (r % 5 == 4 ? "-*" : "") + "\"\n";
        t += std::string("strategy = \"") + (r == 99 ? "weighted" : "fallback") + "\"\n";
        t += "targets = [\"backend" + std::to_string(b1) + ":model-" + std::to_string(b1) +
             "-0\", \"backend" + std::to_string(b2) + ":model-" + std::to_string(b2) +
             "-1\", \"backend" + std::to_string(b3) + ":model-" + std::to_string(b3) + "-2\"]\n";
        if (r == 99) t += "weights = [5, 3, 2]\n";
        if (r % 7 == 3) t += "when_header = \"x-tier: gold\"\n";
        t += "\n";
    }
    return t;
}

struct Fixture {
    core::Settings settings;
    core::ManualClock clock;
    std::unique_ptr<router::Router> router;
    struct NoBackend final : router::Backend {
        std::string_view name() const override { return "n"; }
        core::Result<std::unique_ptr<core::HttpCall>> start(router::BackendRequest,
                                                            core::HttpResponseObserver*) override {
            return core::unavailable("benchmark");
        }
    } backend;

    Fixture() {
        core::ConfigBuilder b;
        core::Status s = b.apply_toml(config_text(), "bench.toml");
        if (!s.ok()) {
            std::fprintf(stderr, "routing_bench: %s\n", s.message().c_str());
            std::abort();
        }
        settings = b.settings();
        router = std::make_unique<router::Router>(
            settings, std::vector<router::Backend*>(settings.backends.size(), &backend), clock);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void plan(benchmark::State& state, const char* model) {
    Fixture& f = fixture();
    core::Headers headers;
    headers.add("content-type", "application/json");
    router::RouteFacts facts;
    facts.model = model;
    facts.prompt_tokens = 200;
    facts.max_tokens = 100;
    facts.headers = &headers;
    uint64_t random = 1;
    for (auto _ : state) {
        router::Plan p = f.router->plan(facts, ++random);
        benchmark::DoNotOptimize(p.attempts.data());
        if (p.attempts.empty()) state.SkipWithError("no attempts planned");
    }
}

void BM_FirstRoute(benchmark::State& s) {
    plan(s, "route-0");
}
void BM_LastRoute(benchmark::State& s) {
    plan(s, "route-98");
}
void BM_GlobRoute(benchmark::State& s) {
    plan(s, "family-89-large");
}
void BM_WeightedRoute(benchmark::State& s) {
    plan(s, "family-99-x");
}
void BM_NoRouteBackendScan(benchmark::State& s) {
    plan(s, "model-19-4");
}

BENCHMARK(BM_FirstRoute);
BENCHMARK(BM_LastRoute);
BENCHMARK(BM_GlobRoute);
BENCHMARK(BM_WeightedRoute);
BENCHMARK(BM_NoRouteBackendScan);

} // namespace

BENCHMARK_MAIN();
