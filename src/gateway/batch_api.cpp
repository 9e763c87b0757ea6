#include "gateway/batch_api.h"

#include "gateway/access_control.h"

#include "gateway/api_responses.h"
#include "gateway/route_table.h"

#include "api/api_error.h"
#include "api/field_check.h"
#include "api/multipart.h"
#include "codec/json/json_writer.h"

#include <charconv>

namespace edgeai::gateway {
namespace {

constexpr std::string_view kBatchEndpoints[] = {"/v1/chat/completions", "/v1/completions",
                                                "/v1/embeddings", "/v1/messages"};

// The fields of POST /v1/batches, each named in its error.
core::Status check_batch_fields(codec::JsonValue root) {
    core::Status valid = api::require_string(root["input_file_id"], "input_file_id");
    if (valid.ok()) valid = api::require_string(root["endpoint"], "endpoint");
    if (valid.ok()) {
        bool known = false;
        for (std::string_view e : kBatchEndpoints)
            known = known || root["endpoint"].as_string() == e;
        if (!known) {
            valid = core::invalid_argument("endpoint must be /v1/chat/completions, "
                                           "/v1/completions, /v1/embeddings or /v1/messages")
                        .with_field("endpoint");
        }
    }
    if (valid.ok())
        valid = api::optional_enum(root["completion_window"], "completion_window", {"24h"});
    if (valid.ok()) valid = api::optional_object(root["metadata"], "metadata");
    return valid;
}

// The batch a checked request makes, with a job per good line (owned by the
// caller, each line's model allowed to its key), or failed with the lines'
// errors as OpenAI's Batch API does.
std::pair<queue::Batch, std::vector<queue::Job>>
plan_new_batch(codec::JsonValue root, const Caller& caller, std::string_view lines,
               core::Random& random, int64_t now_ms, size_t max_lines) {
    queue::Batch batch;
    batch.id = core::make_id(core::IdKind::kBatch, random);
    batch.endpoint = std::string(root["endpoint"].as_string());
    batch.input_file_id = std::string(root["input_file_id"].as_string());
    batch.completion_window = "24h";
    batch.owner = owner_of(caller);
    if (root["metadata"].is_object()) {
        codec::JsonWriter w;
        codec::write_json_value(w, root["metadata"]);
        batch.metadata_json = w.take();
    }
    batch.created_ms = now_ms;
    // The completion window: requests not delivered by then expire, and the
    // batch with them.
    constexpr int64_t kWindowMs = int64_t{24} * 3600 * 1000;
    batch.expires_ms = now_ms + kWindowMs;
    auto refuse_model = [&caller](std::string_view model) -> std::string {
        if (caller.key == nullptr || caller.key->allows_model(model)) return {};
        return "the API key '" + caller.key->name + "' may not use the model '" +
               std::string(model) + "'";
    };
    queue::BatchPlan plan =
        queue::plan_batch(batch, lines, random, now_ms, kWindowMs, refuse_model, max_lines);
    for (queue::Job& job : plan.jobs)
        job.owner = batch.owner;
    if (plan.errors_json.empty()) {
        batch.status = queue::BatchStatus::kInProgress;
        batch.in_progress_ms = now_ms;
    } else {
        batch.status = queue::BatchStatus::kFailed;
        batch.failed_ms = now_ms;
        batch.errors_json = std::move(plan.errors_json);
    }
    return {std::move(batch), std::move(plan.jobs)};
}

} // namespace

std::unique_ptr<RequestTask> upload_file(std::unique_ptr<Exchange> exchange, queue::JobStore& store,
                                         const core::HttpRequest& request, std::string id,
                                         int64_t now_ms) {
    auto boundary = api::form_boundary(request.headers.get("content-type"));
    if (!boundary.ok()) {
        exchange->respond_error(api::unsupported_media_type(request.headers.get("content-type")));
        return nullptr;
    }
    auto parts = api::parse_form_data(request.body, *boundary);
    if (!parts.ok()) {
        exchange->respond_error(api::api_error_from_status(parts.status()));
        return nullptr;
    }
    std::string purpose;
    const api::FormPart* file = nullptr;
    for (const api::FormPart& p : *parts) {
        if (p.name == "purpose") purpose = std::string(p.data);
        if (p.name == "file") file = &p;
    }
    if (purpose != "batch") {
        exchange->respond_error(api::api_error_from_status(
            core::invalid_argument("purpose must be \"batch\": edgeai keeps files for the "
                                   "Batch API only")
                .with_field("purpose")));
        return nullptr;
    }
    if (file == nullptr) {
        exchange->respond_error(api::api_error_from_status(
            core::invalid_argument("the upload has no 'file' part").with_field("file")));
        return nullptr;
    }
    queue::StoredFile stored;
    stored.id = std::move(id);
    stored.purpose = purpose;
    stored.filename = file->filename.empty() ? "upload.jsonl" : file->filename;
    stored.bytes = static_cast<int64_t>(file->data.size());
    stored.created_ms = now_ms;
    stored.content = std::string(file->data);
    stored.owner = owner_of(exchange->caller());
    auto task = std::make_unique<StoreTask>(std::move(exchange));
    store.put_file(std::move(stored),
                   [weak = task->exchange()](core::Result<queue::StoredFile> result) {
                       auto ex = weak.lock();
                       if (!ex) return;
                       if (!result.ok()) {
                           ex->respond_error(api::queue_error(result.status()));
                           return;
                       }
                       ex->respond(json_response(200, queue::file_json(*result)));
                   });
    return task;
}

void get_file(Exchange& exchange, queue::JobStore& store, const std::string& id, bool content) {
    auto file = store.get_file(id, content);
    if (!file.ok()) {
        exchange.respond_error(api::queue_error(file.status()));
        return;
    }
    if (!*file || !may_see(exchange.caller(), (*file)->owner)) {
        exchange.respond_error(
            api::api_error_from_status(api::file_not_found("file '" + id + "'")));
        return;
    }
    if (!content) {
        exchange.respond(json_response(200, queue::file_json(**file)));
        return;
    }
    core::HttpResponse r;
    r.headers.add("content-type", "application/octet-stream");
    r.body = std::move((*file)->content);
    exchange.respond(std::move(r));
}

std::unique_ptr<RequestTask> create_batch(std::unique_ptr<Exchange> exchange,
                                          queue::JobStore& store, AccessControl* access,
                                          std::string_view body, core::Random& random,
                                          int64_t now_ms, std::function<void()> stored) {
    auto doc = api::parse_request_body(body);
    if (!doc.ok()) {
        exchange->respond_error(api::api_error_from_status(doc.status()));
        return nullptr;
    }
    codec::JsonValue root = doc->root();
    if (core::Status valid = check_batch_fields(root); !valid.ok()) {
        exchange->respond_error(api::api_error_from_status(valid));
        return nullptr;
    }
    const std::string endpoint(root["endpoint"].as_string());
    // The lines run as this key: it must hold their endpoint's scope now
    // (each line is admitted again when it runs).
    if (access != nullptr) {
        const RouteMatch route = match_route("POST", endpoint);
        const core::Status refused = access->authorize_scope(
            exchange->caller(), route.route->scope, "the batch's lines (POST " + endpoint + ")");
        if (!refused.ok()) {
            exchange->refuse(refused);
            return nullptr;
        }
    }
    const std::string input_id(root["input_file_id"].as_string());
    auto input = store.get_file(input_id, true);
    if (!input.ok()) {
        exchange->respond_error(api::queue_error(input.status()));
        return nullptr;
    }
    if (!*input || (*input)->purpose != "batch" || !may_see(exchange->caller(), (*input)->owner)) {
        exchange->respond_error(
            api::api_error_from_status(api::file_not_found("batch input file '" + input_id + "'")
                                           .with_field("input_file_id")));
        return nullptr;
    }
    const auto max_lines =
        static_cast<size_t>(exchange->shared().deps.settings->queue.max_batch_lines);
    auto [batch, jobs] =
        plan_new_batch(root, exchange->caller(), (*input)->content, random, now_ms, max_lines);
    auto task = std::make_unique<StoreTask>(std::move(exchange));
    store.create_batch(
        std::move(batch), std::move(jobs),
        [weak = task->exchange(), stored = std::move(stored)](core::Result<queue::Batch> result) {
            if (result.ok() && stored) stored();
            auto ex = weak.lock();
            if (!ex) return;
            if (!result.ok()) {
                ex->respond_error(api::queue_error(result.status()));
                return;
            }
            ex->respond(json_response(200, queue::batch_json(*result)));
        });
    return task;
}

void get_batch(Exchange& exchange, queue::JobStore& store, const std::string& id) {
    auto batch = store.get_batch(id);
    if (!batch.ok()) {
        exchange.respond_error(api::queue_error(batch.status()));
        return;
    }
    if (!*batch || !may_see(exchange.caller(), (*batch)->owner)) {
        exchange.respond_error(api::api_error_from_status(api::batch_not_found(id)));
        return;
    }
    exchange.respond(json_response(200, queue::batch_json(**batch)));
}

void list_batches(Exchange& exchange, queue::JobStore& store, std::string_view target) {
    auto limit = page_limit(target, 20);
    if (!limit.ok()) {
        exchange.respond_error(api::api_error_from_status(limit.status()));
        return;
    }
    const std::string after(core::query_param(target, "after").value_or(""));
    auto batches = store.list_batches(*limit + 1, after, visible_owner(exchange.caller()));
    if (!batches.ok()) {
        exchange.respond_error(api::queue_error(batches.status()));
        return;
    }
    const bool more = batches->size() > *limit;
    if (more) batches->pop_back();
    std::vector<std::string> items, ids;
    for (const queue::Batch& b : *batches) {
        items.push_back(queue::batch_json(b));
        ids.push_back(b.id);
    }
    exchange.respond(json_response(200, list_page_json(items, ids, more)));
}

std::unique_ptr<RequestTask> cancel_batch(std::unique_ptr<Exchange> exchange,
                                          queue::JobStore& store, const std::string& id,
                                          int64_t now_ms) {
    if (auto batch = store.get_batch(id);
        batch.ok() && *batch && !may_see(exchange->caller(), (*batch)->owner)) {
        exchange->respond_error(api::api_error_from_status(api::batch_not_found(id)));
        return nullptr;
    }
    auto task = std::make_unique<StoreTask>(std::move(exchange));
    store.cancel_batch(
        id, now_ms, [weak = task->exchange(), id](core::Result<queue::Batch> result) {
            auto ex = weak.lock();
            if (!ex) return;
            if (result.ok()) {
                ex->respond(json_response(200, queue::batch_json(*result)));
                return;
            }
            ex->respond_error(result.status().code() == core::StatusCode::kNotFound
                                  ? api::api_error_from_status(api::batch_not_found(id))
                                  : api::queue_error(result.status(), "batch_already_ended"));
        });
    return task;
}

namespace {

queue::JobStore* batch_store_or_fail(RouteContext& ctx) {
    if (ctx.deps().jobs == nullptr) {
        ctx.fail(core::Status(core::StatusCode::kUnimplemented,
                              "the Batch API needs the job queue, not available in this build"));
    }
    return ctx.deps().jobs;
}

} // namespace

std::unique_ptr<RequestTask> handle_upload_file(RouteContext& ctx) {
    queue::JobStore* store = batch_store_or_fail(ctx);
    if (store == nullptr) return nullptr;
    std::string id = ctx.shared.new_id(core::IdKind::kFile);
    return upload_file(std::move(ctx.exchange), *store, ctx.request, std::move(id),
                       ctx.deps().clock->unix_ms());
}

std::unique_ptr<RequestTask> handle_get_file(RouteContext& ctx) {
    if (queue::JobStore* store = batch_store_or_fail(ctx))
        get_file(*ctx.exchange, *store, ctx.id, false);
    return nullptr;
}

std::unique_ptr<RequestTask> handle_get_file_content(RouteContext& ctx) {
    if (queue::JobStore* store = batch_store_or_fail(ctx))
        get_file(*ctx.exchange, *store, ctx.id, true);
    return nullptr;
}

std::unique_ptr<RequestTask> handle_create_batch(RouteContext& ctx) {
    queue::JobStore* store = batch_store_or_fail(ctx);
    if (store == nullptr) return nullptr;
    return create_batch(std::move(ctx.exchange), *store, ctx.deps().access, ctx.request.body,
                        *ctx.deps().random, ctx.deps().clock->unix_ms(), ctx.shared.job_listener);
}

std::unique_ptr<RequestTask> handle_list_batches(RouteContext& ctx) {
    if (queue::JobStore* store = batch_store_or_fail(ctx))
        list_batches(*ctx.exchange, *store, ctx.request.target);
    return nullptr;
}

std::unique_ptr<RequestTask> handle_get_batch(RouteContext& ctx) {
    if (queue::JobStore* store = batch_store_or_fail(ctx)) get_batch(*ctx.exchange, *store, ctx.id);
    return nullptr;
}

std::unique_ptr<RequestTask> handle_cancel_batch(RouteContext& ctx) {
    queue::JobStore* store = batch_store_or_fail(ctx);
    if (store == nullptr) return nullptr;
    return cancel_batch(std::move(ctx.exchange), *store, ctx.id, ctx.deps().clock->unix_ms());
}

} // namespace edgeai::gateway
