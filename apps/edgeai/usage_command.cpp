#include "usage_command.h"

#include "cli_output.h"

#include "core/duration.h"
#include "platform/native/storage/sqlite_usage_store.h"
#include "platform/native/system/system_clock.h"
#include "router/usage.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace edgeai::cli {
namespace {

namespace native = platform::native;

// Four decimals, or for a cost too small to show in them (a local model's
// fraction of a cent) three significant digits: 0.00000855, not 0.0000.
std::string cost_text(double cost) {
    char buf[64];
    int decimals = 4;
    const double size = std::fabs(cost);
    if (size > 0 && size < 0.00005)
        decimals = std::min(12, 2 - static_cast<int>(std::floor(std::log10(size))));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, cost);
    return buf;
}

// Left-aligned first column, numbers right-aligned, two spaces between.
void print_table(const std::vector<std::vector<std::string>>& lines) {
    std::vector<size_t> widths;
    for (const auto& line : lines) {
        widths.resize(std::max(widths.size(), line.size()));
        for (size_t i = 0; i < line.size(); ++i)
            widths[i] = std::max(widths[i], line[i].size());
    }
    for (const auto& line : lines) {
        std::string out;
        for (size_t i = 0; i < line.size(); ++i) {
            const std::string pad(widths[i] - line[i].size(), ' ');
            if (i > 0) out += "  ";
            out += i == 0 ? line[i] + pad : pad + line[i];
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        std::printf("%s\n", out.c_str());
    }
}

std::vector<std::string> sums(const std::string& label, int64_t requests, int64_t prompt,
                              int64_t completion, double cost) {
    return {label,
            std::to_string(requests),
            std::to_string(prompt),
            std::to_string(completion),
            std::to_string(prompt + completion),
            cost_text(cost)};
}

void print_text(const router::UsageQuery& query, const std::string& since,
                const std::vector<router::UsageRow>& rows) {
    const std::string window =
        since.empty() ? "all time"
                      : "last " + since + " (since " + utc_time(query.since_unix_ms) + " UTC)";
    if (rows.empty()) {
        std::printf("no usage recorded, %s\n", window.c_str());
        return;
    }
    const std::string_view by = router::usage_group_name(query.by);
    std::printf("usage%s%s, %s\n", by.empty() ? "" : " by ", std::string(by).c_str(),
                window.c_str());
    std::vector<std::vector<std::string>> lines;
    lines.push_back({std::string(by), "requests", "prompt tokens", "completion tokens",
                     "total tokens", "cost"});
    int64_t requests = 0, prompt = 0, completion = 0;
    double cost = 0;
    for (const router::UsageRow& row : rows) {
        if (query.by != router::UsageGroup::kNone) {
            lines.push_back(sums(row.group.empty() ? "(none)" : row.group, row.requests,
                                 row.prompt_tokens, row.completion_tokens, row.cost));
        }
        requests += row.requests;
        prompt += row.prompt_tokens;
        completion += row.completion_tokens;
        cost += row.cost;
    }
    lines.push_back(sums("total", requests, prompt, completion, cost));
    print_table(lines);
}

} // namespace

Command* add_usage_command(Command& app, UsageFlags& flags) {
    Command* usage =
        app.add_subcommand("usage", "Sum the recorded token usage and cost (from usage.db)");
    usage->add_option("--by", flags.by, "Group by key, backend or model (default: totals only)");
    usage->add_option("--since", flags.since,
                      "Only the last 90s, 30m, 24h, 7d, 2w, ... (default: all time)");
    usage->add_flag("--json", flags.json, "Print the JSON that GET /v1/usage answers");
    return usage;
}

int run_usage_command(const UsageFlags& flags, const std::string& data_dir) {
    router::UsageQuery query;
    auto by = router::parse_usage_group(flags.by);
    if (!by.ok()) {
        print_error("--by: " + by.status().message());
        return kExitUsage;
    }
    query.by = *by;
    if (!flags.since.empty()) {
        auto window = core::parse_duration_ms(flags.since);
        if (!window.ok()) {
            print_error("--since: " + window.status().message());
            return kExitUsage;
        }
        query.since_unix_ms = std::max<int64_t>(1, native::SystemClock().unix_ms() - *window);
    }

    std::vector<router::UsageRow> rows;
    auto store = native::SqliteUsageStore::open_read_only(data_dir);
    if (!store.ok()) {
        if (store.status().code() != core::StatusCode::kNotFound) {
            print_error(store.status().message());
            return kExitRuntime;
        }
        if (!flags.json) {
            std::printf("%s\n", store.status().message().c_str());
            return kExitOk;
        }
    } else {
        auto summary = (*store)->summarize(query);
        if (!summary.ok()) {
            print_error(summary.status().message());
            return kExitRuntime;
        }
        rows = std::move(*summary);
    }
    if (flags.json) {
        std::printf("%s\n", router::usage_summary_json(query, rows).c_str());
    } else {
        print_text(query, flags.since, rows);
    }
    return kExitOk;
}

} // namespace edgeai::cli
