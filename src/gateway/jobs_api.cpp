#include "gateway/jobs_api.h"

#include "gateway/access_control.h"

#include "gateway/api_responses.h"

#include "api/api_error.h"
#include "codec/json/json_writer.h"
#include "core/net/outbound_url.h"

#include <charconv>

namespace edgeai::gateway {
bool prefers_async(std::string_view prefer) {
    while (!prefer.empty()) {
        size_t comma = prefer.find(',');
        std::string_view token = prefer.substr(0, comma);
        prefer = comma == std::string_view::npos ? "" : prefer.substr(comma + 1);
        token = core::trim_spaces(token.substr(0, token.find(';')));
        if (core::iequals(token, "respond-async")) return true;
    }
    return false;
}

core::Result<std::string> checked_callback_url(std::string_view text,
                                               const core::net::DestinationPolicy& policy) {
    const std::string kHeader = "x-edgeai-callback-url";
    auto url = core::net::parse_outbound_url(text);
    if (!url.ok()) {
        return core::invalid_argument(kHeader + ": " + url.status().message()).with_field(kHeader);
    }
    // A literal address is judged now; a name when it is resolved, at delivery.
    if (url->address && !policy.admits(*url->address, url->port, "")) {
        return core::invalid_argument(kHeader + ": " + std::string(core::net::kRefusedByPolicy) +
                                      " (an operator may admit it with queue.webhook_allow)")
            .with_field(kHeader);
    }
    return url->text();
}

core::Result<queue::Job> job_for_request(const core::HttpRequest& request, std::string body,
                                         std::string model, std::string id, int64_t now_ms,
                                         int64_t ttl_ms,
                                         const core::net::DestinationPolicy& webhook_policy) {
    queue::Job job;
    job.id = std::move(id);
    job.path = std::string(request.path());
    job.body = std::move(body);
    job.model = std::move(model);
    job.idempotency_key = std::string(request.headers.get("idempotency-key"));
    if (job.idempotency_key.size() > 256) {
        return core::invalid_argument("Idempotency-Key is longer than 256 characters")
            .with_field("Idempotency-Key");
    }
    std::string_view priority = request.headers.get("x-edgeai-priority");
    if (!priority.empty()) {
        int64_t p = 0;
        auto [end, ec] = std::from_chars(priority.data(), priority.data() + priority.size(), p);
        if (ec != std::errc() || end != priority.data() + priority.size() || p < -100 || p > 100) {
            return core::invalid_argument("x-edgeai-priority must be a whole number from -100 "
                                          "to 100 (higher is delivered first)")
                .with_field("x-edgeai-priority");
        }
        job.priority = p;
    }
    std::string_view callback = request.headers.get("x-edgeai-callback-url");
    if (!callback.empty()) {
        auto url = checked_callback_url(callback, webhook_policy);
        if (!url.ok()) return url.status();
        job.callback_url = std::move(url).value();
    }
    job.created_ms = now_ms;
    job.updated_ms = now_ms;
    job.run_after_ms = now_ms;
    job.expires_ms = now_ms + ttl_ms;
    return job;
}

std::unique_ptr<RequestTask> enqueue_job(std::unique_ptr<Exchange> exchange, queue::JobStore& store,
                                         queue::Job job, std::function<void()> stored) {
    auto task = std::make_unique<StoreTask>(std::move(exchange));
    const std::string id = job.id;
    // The exchange is shared with the callback: the task may go first (the
    // client left), and the job is stored all the same.
    store.enqueue(std::move(job), [weak = task->exchange(), id,
                                   stored = std::move(stored)](core::Result<queue::Job> result) {
        if (result.ok() && result->id == id && stored) stored();
        auto ex = weak.lock();
        if (!ex) return;
        if (!result.ok()) {
            ex->respond_error(api::queue_error(result.status()));
            return;
        }
        core::HttpResponse r = json_response(202, queue::job_json(*result));
        r.headers.add("location", "/v1/jobs/" + result->id);
        ex->respond(std::move(r));
    });
    return task;
}

void list_jobs(Exchange& exchange, queue::JobStore& store, std::string_view target) {
    queue::JobFilter filter;
    if (auto status = core::query_param(target, "status")) {
        filter.status = queue::parse_job_status(*status);
        if (!filter.status) {
            exchange.respond_error(api::api_error_from_status(
                core::invalid_argument("status must be one of queued, running, succeeded, "
                                       "failed, cancelled, expired")
                    .with_field("status")));
            return;
        }
    }
    auto limit = page_limit(target, 20);
    if (!limit.ok()) {
        exchange.respond_error(api::api_error_from_status(limit.status()));
        return;
    }
    filter.limit = *limit;
    filter.owner = visible_owner(exchange.caller());
    if (auto after = core::query_param(target, "after")) filter.after = std::string(*after);
    const size_t wanted = filter.limit;
    ++filter.limit; // one more tells whether there is a next page
    auto jobs = store.list(filter);
    if (!jobs.ok()) {
        exchange.respond_error(api::queue_error(jobs.status()));
        return;
    }
    const bool more = jobs->size() > wanted;
    if (more) jobs->pop_back();
    std::vector<std::string> items, ids;
    for (const queue::Job& j : *jobs) {
        items.push_back(queue::job_json(j));
        ids.push_back(j.id);
    }
    exchange.respond(json_response(200, list_page_json(items, ids, more)));
}

void get_job(Exchange& exchange, queue::JobStore& store, const std::string& id) {
    auto job = store.get(id);
    if (!job.ok()) {
        exchange.respond_error(api::queue_error(job.status()));
        return;
    }
    // Another key's job is answered as if it did not exist.
    if (!*job || !may_see(exchange.caller(), (*job)->owner)) {
        exchange.respond_error(api::api_error_from_status(api::job_not_found(id)));
        return;
    }
    exchange.respond(json_response(200, queue::job_json(**job)));
}

std::unique_ptr<RequestTask> cancel_job(std::unique_ptr<Exchange> exchange, queue::JobStore& store,
                                        const std::string& id) {
    if (auto job = store.get(id); job.ok() && *job && !may_see(exchange->caller(), (*job)->owner)) {
        exchange->respond_error(api::api_error_from_status(api::job_not_found(id)));
        return nullptr;
    }
    auto task = std::make_unique<StoreTask>(std::move(exchange));
    store.cancel(id, [weak = task->exchange(), id](core::Result<queue::Job> result) {
        auto ex = weak.lock();
        if (!ex) return;
        if (result.ok()) {
            ex->respond(json_response(200, queue::job_json(*result)));
            return;
        }
        ex->respond_error(result.status().code() == core::StatusCode::kNotFound
                              ? api::api_error_from_status(api::job_not_found(id))
                              : api::queue_error(result.status(), "job_already_ended"));
    });
    return task;
}

namespace {

queue::JobStore* job_store_or_fail(RouteContext& ctx) {
    if (ctx.deps().jobs == nullptr) {
        ctx.fail(core::Status(core::StatusCode::kUnimplemented,
                              "the job queue is not available in this build"));
    }
    return ctx.deps().jobs;
}

} // namespace

std::unique_ptr<RequestTask> handle_list_jobs(RouteContext& ctx) {
    if (queue::JobStore* store = job_store_or_fail(ctx))
        list_jobs(*ctx.exchange, *store, ctx.request.target);
    return nullptr;
}

std::unique_ptr<RequestTask> handle_get_job(RouteContext& ctx) {
    if (queue::JobStore* store = job_store_or_fail(ctx)) get_job(*ctx.exchange, *store, ctx.id);
    return nullptr;
}

std::unique_ptr<RequestTask> handle_cancel_job(RouteContext& ctx) {
    queue::JobStore* store = job_store_or_fail(ctx);
    return store != nullptr ? cancel_job(std::move(ctx.exchange), *store, ctx.id) : nullptr;
}

} // namespace edgeai::gateway
