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

core::Result<int64_t> parse_duration_ms(std::string_view text) {
    auto bad = [&] {
        return core::invalid_argument("'" + std::string(text) +
                                      "' is not a duration: use a positive whole number and "
                                      "s, m, h, d or w, e.g. 90s, 30m, 24h, 7d, 2w");
    };
    if (text.size() < 2) return bad();
    int64_t unit_ms = 0;
    switch (text.back()) {
    case 's':
        unit_ms = 1000;
        break;
    case 'm':
        unit_ms = 60 * 1000;
        break;
    case 'h':
        unit_ms = 3600 * 1000;
        break;
    case 'd':
        unit_ms = 86400 * 1000;
        break;
    case 'w':
        unit_ms = 7 * 86400 * 1000;
        break;
    default:
        return bad();
    }
    int64_t count = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (c < '0' || c > '9') return bad();
        if (count > (std::numeric_limits<int64_t>::max() / unit_ms - (c - '0')) / 10)
            return core::invalid_argument("duration '" + std::string(text) + "' is too long");
        count = count * 10 + (c - '0');
    }
    if (count == 0) return bad();
    return count * unit_ms;
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
