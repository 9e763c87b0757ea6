// The portable half of usage accounting: the --by and --since vocabularies
// (shared by `edgeai usage` and GET /v1/usage) and the summary JSON.
#include "codec/json/json_document.h"
#include "router/usage.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::router {
namespace {

TEST(UsageGroup, ParsesTheThreeGroupingsAndEmptyAsNone) {
    struct Case {
        const char* text;
        UsageGroup group;
    };
    for (const Case& c :
         {Case{"", UsageGroup::kNone}, Case{"key", UsageGroup::kKey},
          Case{"backend", UsageGroup::kBackend}, Case{"model", UsageGroup::kModel}}) {
        auto parsed = parse_usage_group(c.text);
        ASSERT_TRUE(parsed.ok()) << c.text;
        EXPECT_EQ(*parsed, c.group) << c.text;
        EXPECT_EQ(usage_group_name(c.group), c.text);
    }
}

TEST(UsageGroup, RejectsAnythingElseNamingTheChoices) {
    for (const char* bad : {"nonsense", "Model", "models", " key", "none"}) {
        auto parsed = parse_usage_group(bad);
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.status().code(), core::StatusCode::kInvalidArgument);
        EXPECT_NE(parsed.status().message().find("key, backend or model"), std::string::npos);
        EXPECT_NE(parsed.status().message().find(bad), std::string::npos);
    }
}

TEST(UsageSummaryJson, GroupsTotalsAndSinceInSeconds) {
    UsageQuery query;
    query.by = UsageGroup::kModel;
    query.since_unix_ms = 1'700'000'000'999;
    std::vector<UsageRow> rows = {{"gpt-4o-mini", 3, 1200, 340, 0.1},
                                  {"qwen \"local\"", 10, 50, 60, 0.2}};
    const std::string json = usage_summary_json(query, rows);
    auto doc = codec::JsonDocument::parse(json);
    ASSERT_TRUE(doc.ok()) << json;
    const codec::JsonValue root = doc->root();
    EXPECT_EQ(root["object"].as_string(), "usage.summary");
    EXPECT_EQ(root["by"].as_string(), "model");
    EXPECT_EQ(root["since"].as_int64(), 1'700'000'000);
    ASSERT_EQ(root["data"].size(), 2u);
    const codec::JsonValue first = root["data"].at(0);
    EXPECT_EQ(first["group"].as_string(), "gpt-4o-mini");
    EXPECT_EQ(first["requests"].as_int64(), 3);
    EXPECT_EQ(first["prompt_tokens"].as_int64(), 1200);
    EXPECT_EQ(first["completion_tokens"].as_int64(), 340);
    EXPECT_EQ(first["total_tokens"].as_int64(), 1540);
    EXPECT_EQ(root["data"].at(1)["group"].as_string(), "qwen \"local\"");
    const codec::JsonValue total = root["total"];
    EXPECT_TRUE(total["group"].is_missing());
    EXPECT_EQ(total["requests"].as_int64(), 13);
    EXPECT_EQ(total["prompt_tokens"].as_int64(), 1250);
    EXPECT_EQ(total["completion_tokens"].as_int64(), 400);
    EXPECT_EQ(total["total_tokens"].as_int64(), 1650);
    // 0.1 + 0.2 summed in binary is 0.30000000000000004; the output is rounded.
    EXPECT_NE(json.find("\"cost\":0.3}"), std::string::npos) << json;
}

TEST(UsageSummaryJson, NullsForNoGroupingAndAllTimeAndEmptyTotals) {
    UsageQuery all;
    EXPECT_EQ(usage_summary_json(all, {}),
              R"({"object":"usage.summary","by":null,"since":null,"data":[],)"
              R"("total":{"requests":0,"prompt_tokens":0,"completion_tokens":0,)"
              R"("total_tokens":0,"cost":0}})");
    EXPECT_EQ(usage_summary_json(all, {{"", 2, 5, 7, 0.5}}),
              R"({"object":"usage.summary","by":null,"since":null,"data":[{"group":null,)"
              R"("requests":2,"prompt_tokens":5,"completion_tokens":7,"total_tokens":12,)"
              R"("cost":0.5}],"total":{"requests":2,"prompt_tokens":5,"completion_tokens":7,)"
              R"("total_tokens":12,"cost":0.5}})");
}

} // namespace
} // namespace edgeai::router
