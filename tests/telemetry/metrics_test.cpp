#include "telemetry/metrics.h"

#include <gtest/gtest.h>

namespace edgeai::telemetry {
namespace {

TEST(Metrics, RendersCountersGaugesAndCumulativeHistograms) {
    MetricsRegistry m;
    m.counter("reqs_total", "Requests", {{"route", "chat"}, {"status", "200"}}).add(2);
    m.counter("reqs_total", "Requests", {{"route", "chat"}, {"status", "200"}}).add();
    m.gauge("in_flight", "Now").set(4);
    Histogram& h = m.histogram("lat_seconds", "Latency", {{"route", "x"}}, {0.1, 1});
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    m.gauge_callback("rss_bytes", "RSS", [] { return 1024.0; });
    std::string text = m.render();
    EXPECT_NE(text.find("# TYPE reqs_total counter\n"), std::string::npos);
    EXPECT_NE(text.find("reqs_total{route=\"chat\",status=\"200\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("in_flight 4\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{route=\"x\",le=\"0.1\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{route=\"x\",le=\"1\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{route=\"x\",le=\"+Inf\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_count{route=\"x\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("rss_bytes 1024\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
    EXPECT_EQ(render_labels({{"a", "x\"y\\z\n"}}), "{a=\"x\\\"y\\\\z\\n\"}");
}

} // namespace
} // namespace edgeai::telemetry
