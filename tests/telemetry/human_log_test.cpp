#include "telemetry/human_log.h"

#include "telemetry/logger.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::telemetry {
namespace {

struct CaptureSink : core::LogSink {
    std::vector<std::string> lines;
    void write_line(std::string_view line) override { lines.emplace_back(line); }
};

// 2024-11-24T23:48:13.123Z
constexpr int64_t kNow = 1732492093123;

TEST(HumanLog, RequestLineNamesModelBackendTokensAndSpeed) {
    const std::string line = human_log_line(kNow, core::LogLevel::kInfo, "request",
                                            {{"request_id", "req_1"},
                                             {"method", "POST"},
                                             {"path", "/v1/chat/completions"},
                                             {"status", 200},
                                             {"duration_ms", 1520.4},
                                             {"bytes_out", int64_t{900}},
                                             {"model", "qwen3"},
                                             {"backend", "local"},
                                             {"backend_status", 200},
                                             {"prompt_tokens", int64_t{12}},
                                             {"completion_tokens", int64_t{48}},
                                             {"tokens_per_second", 31.57}});
    EXPECT_EQ(line, "23:48:13 POST /v1/chat/completions 200  qwen3 via local  12+48 tokens  "
                    "31.6 tok/s  1520 ms");
}

TEST(HumanLog, RequestLineShowsABackendStatusThatDiffers) {
    const std::string line = human_log_line(kNow, core::LogLevel::kInfo, "request",
                                            {{"method", "GET"},
                                             {"path", "/v1/models"},
                                             {"status", 502},
                                             {"duration_ms", 3.0},
                                             {"model", ""},
                                             {"backend", "cloud"},
                                             {"backend_status", 500},
                                             {"prompt_tokens", int64_t{0}},
                                             {"completion_tokens", int64_t{0}},
                                             {"tokens_per_second", 0.0}});
    EXPECT_EQ(line, "23:48:13 GET /v1/models 502  cloud (500)  3 ms");
}

TEST(HumanLog, StartBannerListsEachFieldOnItsOwnRow) {
    const std::string banner = human_log_line(kNow, core::LogLevel::kInfo, "listening",
                                              {{"address", "127.0.0.1:8080"},
                                               {"url", "http://127.0.0.1:8080"},
                                               {"console", "http://127.0.0.1:8080/ui/"},
                                               {"models", "stories260K"},
                                               {"unix_socket", ""},
                                               {"version", "0.9.0"},
                                               {"data_dir", "/var/lib/edgeai"}});
    EXPECT_EQ(banner, "23:48:13 edgeai 0.9.0 is listening on http://127.0.0.1:8080\n"
                      "  console      http://127.0.0.1:8080/ui/\n"
                      "  models       stories260K\n"
                      "  data dir     /var/lib/edgeai");
}

TEST(HumanLog, OtherLinesAreMessageAndPairsWithTheLevelWhenNotInfo) {
    EXPECT_EQ(human_log_line(kNow, core::LogLevel::kWarn, "slow disk",
                             {{"file", "/a b"}, {"ms", 12.5}, {"ok", false}, {"empty", ""}}),
              "23:48:13 WARN slow disk file=\"/a b\" ms=12.50 ok=false");
}

TEST(HumanLog, ControlCharactersFromClientsCannotForgeALine) {
    const std::string line = human_log_line(kNow, core::LogLevel::kInfo, "request",
                                            {{"method", "GET"},
                                             {"path", "/x\n23:48:14 GET /admin 200"},
                                             {"status", 404},
                                             {"duration_ms", 1.0}});
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_NE(line.find("/x\\x0a23:48:14"), std::string::npos) << line;
}

TEST(HumanLog, LoggerWritesHumanLinesWhenAsked) {
    CaptureSink sink;
    core::ManualClock clock;
    clock.set_unix_ms(kNow);
    Logger log(sink, clock, core::LogLevel::kInfo);
    log.set_format(LineFormat::kHuman);
    log.error("cannot open", {{"file", "x.gguf"}});
    ASSERT_EQ(sink.lines.size(), 1u);
    EXPECT_EQ(sink.lines[0], "23:48:13 ERROR cannot open file=x.gguf");
}

} // namespace
} // namespace edgeai::telemetry
