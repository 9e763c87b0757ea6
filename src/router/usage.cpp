#include "router/usage.h"

#include "codec/json/json_writer.h"

#include <cmath>
#include <limits>

namespace edgeai::router {
namespace {

// Sums of many small prices pick up binary noise (0.1 + 0.2); a billionth of
// a currency unit is far below any price per token, so nothing real is lost.
double round_cost(double cost) {
    return std::round(cost * 1e9) / 1e9;
}

void write_sums(codec::JsonWriter& w, int64_t requests, int64_t prompt, int64_t completion,
                double cost) {
    w.field("requests", requests)
        .field("prompt_tokens", prompt)
        .field("completion_tokens", completion)
        .field("total_tokens", prompt + completion)
        .field("cost", round_cost(cost));
}

} // namespace

core::Result<UsageGroup> parse_usage_group(std::string_view by) {
    if (by.empty()) return UsageGroup::kNone;
    if (by == "key") return UsageGroup::kKey;
    if (by == "backend") return UsageGroup::kBackend;
    if (by == "model") return UsageGroup::kModel;
    return core::invalid_argument("usage can be grouped by key, backend or model, not '" +
                                  std::string(by) + "'");
}

std::string_view usage_group_name(UsageGroup group) {
    switch (group) {
    case UsageGroup::kKey:
        return "key";
    case UsageGroup::kBackend:
        return "backend";
    case UsageGroup::kModel:
        return "model";
    case UsageGroup::kNone:
        break;
    }
    return "";
}

std::string usage_summary_json(const UsageQuery& query, const std::vector<UsageRow>& rows) {
    codec::JsonWriter w;
    w.begin_object().field("object", "usage.summary");
    w.key("by");
    if (query.by == UsageGroup::kNone)
        w.null();
    else
        w.value(usage_group_name(query.by));
    w.key("since");
    if (query.since_unix_ms <= 0)
        w.null();
    else
        w.value(query.since_unix_ms / 1000);
    int64_t requests = 0, prompt = 0, completion = 0;
    double cost = 0;
    w.key("data").begin_array();
    for (const UsageRow& row : rows) {
        w.begin_object();
        w.key("group");
        if (query.by == UsageGroup::kNone)
            w.null();
        else
            w.value(row.group);
        write_sums(w, row.requests, row.prompt_tokens, row.completion_tokens, row.cost);
        w.end_object();
        requests += row.requests;
        prompt += row.prompt_tokens;
        completion += row.completion_tokens;
        cost += row.cost;
    }
    w.end_array();
    w.key("total").begin_object();
    write_sums(w, requests, prompt, completion, cost);
    w.end_object();
    w.end_object();
    return w.take();
}

} // namespace edgeai::router
