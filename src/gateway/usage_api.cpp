#include "gateway/usage_api.h"

#include "core/duration.h"
#include "gateway/api_responses.h"

namespace edgeai::gateway {

namespace {

core::Result<router::UsageQuery> usage_query_from(std::string_view target, int64_t now_unix_ms) {
    router::UsageQuery q;
    const size_t question = target.find('?');
    std::string_view rest = question == std::string_view::npos ? "" : target.substr(question + 1);
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view name = rest.substr(0, std::min(amp, rest.find('=')));
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (!name.empty() && name != "by" && name != "since") {
            return core::invalid_argument("unknown query parameter '" + std::string(name) +
                                          "'; GET /v1/usage takes by=key|backend|model and "
                                          "since=DURATION (e.g. 24h)")
                .with_field(std::string(name));
        }
    }
    if (auto by = core::query_param(target, "by")) {
        auto group = router::parse_usage_group(*by);
        if (!group.ok()) return core::Status(group.status()).with_field("by");
        q.by = *group;
    }
    if (auto since = core::query_param(target, "since")) {
        auto ms = core::parse_duration_ms(*since);
        if (!ms.ok()) return core::Status(ms.status()).with_field("since");
        q.since_unix_ms = now_unix_ms - *ms;
    }
    return q;
}

} // namespace

std::unique_ptr<RequestTask> handle_usage(RouteContext& ctx) {
    router::UsageStore* usage = ctx.deps().usage;
    if (usage == nullptr) {
        return ctx.fail(core::Status(core::StatusCode::kUnimplemented,
                                     "usage accounting is not available in this build"));
    }
    auto query = usage_query_from(ctx.request.target, ctx.deps().clock->unix_ms());
    if (!query.ok()) return ctx.fail(query.status());
    auto rows = usage->summarize(*query);
    if (!rows.ok()) return ctx.fail(rows.status());
    return ctx.respond(json_response(200, router::usage_summary_json(*query, *rows)));
}

} // namespace edgeai::gateway
