#include "telemetry/logger.h"

#include "codec/json/json_document.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgeai::telemetry {
namespace {

struct CaptureSink : core::LogSink {
    std::vector<std::string> lines;
    void write_line(std::string_view line) override { lines.emplace_back(line); }
};

TEST(Logger, WritesOneJsonObjectPerLineAboveTheLevel) {
    CaptureSink sink;
    core::ManualClock clock;
    clock.set_unix_ms(0);
    Logger log(sink, clock, core::LogLevel::kInfo);
    log.debug("hidden");
    log.info("request", {{"status", 200}, {"path", "/v1/x\n"}, {"ok", true}, {"ms", 1.5}});
    ASSERT_EQ(sink.lines.size(), 1u);
    auto doc = codec::JsonDocument::parse(sink.lines[0]);
    ASSERT_TRUE(doc.ok()) << sink.lines[0];
    EXPECT_EQ(doc->root()["ts"].as_string(), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(doc->root()["level"].as_string(), "info");
    EXPECT_EQ(doc->root()["status"].as_int64(), 200);
    EXPECT_EQ(doc->root()["path"].as_string(), "/v1/x\n");
}

TEST(Logger, TimestampsAreUtcIso8601) {
    EXPECT_EQ(format_utc_timestamp(1732492093123), "2024-11-24T23:48:13.123Z");
    EXPECT_EQ(format_utc_timestamp(951782400000), "2000-02-29T00:00:00.000Z");
}

} // namespace
} // namespace edgeai::telemetry
