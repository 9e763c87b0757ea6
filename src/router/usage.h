// Usage accounting: tokens in and out and what they cost, per request, kept by
// a store behind this port (natively SQLite in the data dir) and summed by
// key, backend or model for `edgeai usage` and GET /v1/usage.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::router {

struct UsageRecord {
    int64_t unix_ms = 0;
    std::string request_id;
    std::string key_id;   // the caller's API key id; empty without auth
    std::string endpoint; // "chat_completions", "messages", ...
    std::string backend;  // who answered
    std::string model;    // as the backend named it
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
    double cost = 0; // from the backend's price; 0 when it has none
    int status = 0;  // HTTP status the client got
    // True when the tokens were counted or estimated here because the
    // backend's answer carried no usage.
    bool estimated = false;
};

enum class UsageGroup { kNone, kKey, kBackend, kModel };

struct UsageQuery {
    UsageGroup by = UsageGroup::kNone;
    int64_t since_unix_ms = 0; // records at or after this time
};

struct UsageRow {
    std::string group; // the key id, backend or model; empty for kNone
    int64_t requests = 0;
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
    double cost = 0;
};

class UsageStore {
  public:
    virtual ~UsageStore() = default;
    // Must not block the caller on disk: stores may batch and write later.
    virtual void record(UsageRecord record) = 0;
    // Sums over the records the query selects, largest cost first, then
    // most tokens; includes records not yet flushed.
    virtual core::Result<std::vector<UsageRow>> summarize(const UsageQuery& query) = 0;
};

// "key" | "backend" | "model" | "" -> UsageGroup; InvalidArgument otherwise.
core::Result<UsageGroup> parse_usage_group(std::string_view by);
std::string_view usage_group_name(UsageGroup group);

// The JSON GET /v1/usage answers and `edgeai usage --json` prints:
// {"object":"usage.summary","by":"model","since":<unix s>,
//  "data":[{"group":...,"requests":..,"prompt_tokens":..,"completion_tokens":..,
//           "total_tokens":..,"cost":..}], "total":{...same fields without group}}
// "by" and every "group" are null for UsageGroup::kNone, "since" is null for
// all time; costs are rounded to 1e-9.
std::string usage_summary_json(const UsageQuery& query, const std::vector<UsageRow>& rows);

} // namespace edgeai::router
