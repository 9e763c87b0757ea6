#include "core/keep_alive.h"

#include <gtest/gtest.h>

namespace edgeai::core {
namespace {

int64_t ms(std::string_view text) {
    auto parsed = parse_keep_alive(text);
    EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().message();
    return parsed.ok() ? *parsed : -2;
}

TEST(KeepAlive, DurationsAsOllamaWritesThem) {
    EXPECT_EQ(ms("5m"), 300000);
    EXPECT_EQ(ms("30s"), 30000);
    EXPECT_EQ(ms("1h30m"), 5400000);
    EXPECT_EQ(ms("300ms"), 300);
    EXPECT_EQ(ms("1.5s"), 1500);
    EXPECT_EQ(ms("2d"), 2 * 86400000LL);
    EXPECT_EQ(ms(" 1s "), 1000);
}

TEST(KeepAlive, BareNumbersAreSeconds) {
    EXPECT_EQ(ms("300"), 300000);
    EXPECT_EQ(ms("2.5"), 2500);
    EXPECT_EQ(ms("0"), 0);
    EXPECT_EQ(ms("0s"), 0);
}

TEST(KeepAlive, NegativeMeansForever) {
    EXPECT_EQ(ms("-1"), kKeepAliveForever);
    EXPECT_EQ(ms("-1m"), kKeepAliveForever);
    EXPECT_EQ(ms("-0.5"), kKeepAliveForever);
}

TEST(KeepAlive, BeyondAWeekIsForever) {
    EXPECT_EQ(ms("9999h"), kKeepAliveForever);
}

TEST(KeepAlive, RefusesWhatIsNotADuration) {
    for (std::string_view bad : {"", "m", "5x", "five", "5m3", "1..5s", "-", "5 m", "s5"}) {
        auto parsed = parse_keep_alive(bad);
        EXPECT_FALSE(parsed.ok()) << bad;
        if (!parsed.ok()) {
            EXPECT_NE(parsed.status().message().find("keep_alive"), std::string::npos);
        }
    }
}

TEST(KeepAlive, FormatsForPeople) {
    EXPECT_EQ(format_keep_alive(kKeepAliveForever), "forever");
    EXPECT_EQ(format_keep_alive(0), "0s");
    EXPECT_EQ(format_keep_alive(300000), "5m");
    EXPECT_EQ(format_keep_alive(5400000), "1h30m");
    EXPECT_EQ(format_keep_alive(1500), "1500ms");
}

} // namespace
} // namespace edgeai::core
