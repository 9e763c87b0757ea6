#include "core/duration.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace edgeai::core {
namespace {

TEST(Duration, EveryUnitInMilliseconds) {
    struct Case {
        const char* text;
        int64_t ms;
    };
    for (const Case& c : {Case{"90s", 90'000}, Case{"30m", 1'800'000}, Case{"24h", 86'400'000},
                          Case{"7d", 604'800'000}, Case{"2w", 1'209'600'000}, Case{"1s", 1000},
                          Case{"007h", 7 * 3'600'000}}) {
        auto parsed = parse_duration_ms(c.text);
        ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status().message();
        EXPECT_EQ(*parsed, c.ms) << c.text;
    }
}

TEST(Duration, RejectsMalformedZeroAndOverflowingValues) {
    for (const char* bad : {"", "h", "5", "5x", "x5h", "-1h", "+1h", "1.5h", "0s", "0d", "24 h",
                            "24H", "1h30m", "5ms"}) {
        auto parsed = parse_duration_ms(bad);
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
        EXPECT_NE(parsed.status().message().find("24h"), std::string::npos)
            << "the message shows the accepted forms: " << parsed.status().message();
    }
    // Largest number of weeks that fits, and one more.
    const int64_t week_ms = 7 * 86'400'000LL;
    const int64_t max_weeks = std::numeric_limits<int64_t>::max() / week_ms;
    auto fits = parse_duration_ms(std::to_string(max_weeks) + "w");
    ASSERT_TRUE(fits.ok());
    EXPECT_EQ(*fits, max_weeks * week_ms);
    EXPECT_FALSE(parse_duration_ms(std::to_string(max_weeks + 1) + "w").ok());
    EXPECT_FALSE(parse_duration_ms("99999999999999999999999s").ok());
}

} // namespace
} // namespace edgeai::core
