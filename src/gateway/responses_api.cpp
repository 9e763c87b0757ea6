#include "gateway/responses_api.h"

#include "api/api_error.h"
#include "api/openai_requests.h"
#include "api/responses/responses_requests.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/http_types.h"
#include "gateway/access_control.h"
#include "gateway/api_responses.h"
#include "gateway/openai_api.h"
#include "gateway/response_store.h"
#include "router/backend.h"
#include "router/responses_translator.h"
#include "router/router.h"

namespace edgeai::gateway {

namespace {

core::Status response_not_found(std::string_view id) {
    return core::Status(core::StatusCode::kNotFound,
                        "No response with id '" + std::string(id) + "' found.");
}

// The response `id` when the caller may see it: another key's is not found,
// as if it did not exist.
core::Result<StoredResponse> find_own(ResponseStore& store, std::string_view id,
                                      const std::string& owner) {
    auto found = store.get(id);
    if (!found.ok()) return found.status();
    if (!found->has_value() || (*found)->owner != owner) return response_not_found(id);
    return std::move(**found);
}

// What a continuation of `stored` starts from: its context, then its output.
core::Result<std::string> history_of(const StoredResponse& stored) {
    auto doc = codec::JsonDocument::parse(stored.response);
    if (!doc.ok() || !doc->root()["output"].is_array())
        return core::Status(core::StatusCode::kDataLoss,
                            "the stored response " + stored.id + " cannot be read");
    std::string output;
    codec::JsonWriter w(&output);
    codec::write_json_value(w, doc->root()["output"]);
    const std::string& context = stored.context_items;
    if (context.size() <= 2) return output;
    if (output.size() <= 2) return context;
    return context.substr(0, context.size() - 1) + "," + output.substr(1);
}

// Whether some backend has the Responses API itself (`responses = "native"`).
bool any_native_backend(const router::Router& router) {
    for (size_t i = 0; i < router.size(); ++i) {
        const router::Backend* b = router.at(i).backend;
        if (b != nullptr && b->serves_natively(router::kResponsesPath)) return true;
    }
    return false;
}

// A key past responses.max_bytes_per_key stores nothing more until some of
// its responses are deleted or expire; it may still ask with store: false.
core::Status check_quota(ResponseStore& store, const std::string& owner, int64_t limit) {
    if (owner.empty() || limit <= 0) return {};
    auto held = store.bytes_held_by(owner);
    if (!held.ok()) return held.status();
    if (*held < limit) return {};
    return core::Status(core::StatusCode::kResourceExhausted,
                        "this API key's stored responses hold " + std::to_string(*held) +
                            " bytes and responses.max_bytes_per_key is " + std::to_string(limit) +
                            ": delete some (DELETE /v1/responses/{id}) or send store: false")
        .with_field("store")
        .with_error_code("storage_quota_exceeded");
}

ResponseStore* store_or_fail(RouteContext& ctx) {
    if (ctx.deps().responses == nullptr) {
        ctx.fail(core::Status(core::StatusCode::kUnimplemented,
                              "stored responses are not available in this build"));
    }
    return ctx.deps().responses;
}

} // namespace

core::Status decode_responses(RouteContext& ctx) {
    ResponseStore* store = ctx.deps().responses;
    const std::string owner = owner_of(ctx.caller());
    api::responses::HistoryLookup lookup;
    if (store != nullptr) {
        lookup = [store, &owner](std::string_view id) -> core::Result<std::string> {
            auto stored = find_own(*store, id, owner);
            if (!stored.ok() && stored.status().code() == core::StatusCode::kNotFound) {
                // As OpenAI answers it: the request is what is wrong (400).
                return core::invalid_argument("Previous response with id '" + std::string(id) +
                                              "' not found.")
                    .with_field("previous_response_id");
            }
            if (!stored.ok()) return stored.status();
            return history_of(*stored);
        };
    }
    api::responses::ResponseFrame frame;
    frame.id = ctx.shared.new_id(core::IdKind::kResponse);
    frame.message_id = ctx.shared.new_id(core::IdKind::kMessage);
    frame.created_at = ctx.deps().clock->unix_ms() / 1000;
    const std::string item_prefix = "item_" + frame.id.substr(frame.id.find('_') + 1) + "_";
    auto translated = api::responses::responses_to_chat(ctx.request.body, lookup, item_prefix);
    if (!translated.ok()) return translated.status();
    ctx.decoded.model = translated->model;
    ctx.decoded.spends_tokens = true;
    ctx.decoded.backend_path = "/chat/completions";
    ctx.decoded.stream = translated->stream;
    ctx.decoded.backend_body = std::move(translated->chat_body);
    ctx.decoded.translated = true;
    frame.echo = std::move(translated->echo);
    if (ctx.deps().router != nullptr && any_native_backend(*ctx.deps().router)) {
        ctx.decoded.native_path = std::string(router::kResponsesPath);
        ctx.decoded.native_body =
            api::responses::native_responses_body(ctx.request.body, translated->context_items);
    }

    router::ResponseDone done;        // a translated answer: its id is frame.id
    router::ResponseDone done_native; // a native one names its own response
    if (translated->store) {
        EDGEAI_TRY(check_quota(*store, owner, ctx.deps().settings->responses.max_bytes_per_key));
        auto record = std::make_shared<StoredResponse>();
        record->id = frame.id;
        record->owner = owner;
        record->created_unix_ms = ctx.deps().clock->unix_ms();
        record->input_items = std::move(translated->input_items);
        record->context_items = std::move(translated->context_items);
        telemetry::Logger* logger = ctx.deps().logger;
        done = [store, record, logger](const std::string& response) {
            record->response = response;
            core::Status kept = store->put(*record);
            // The client has its answer either way; only a continuation of
            // it will not be found.
            if (!kept.ok())
                logger->warn("a response could not be stored",
                             {{"id", record->id}, {"error", kept.message()}});
        };
        done_native = [done, record](const std::string& response) {
            if (auto doc = codec::JsonDocument::parse(response); doc.ok())
                if (const auto id = doc->root()["id"]; id.is_string() && !id.as_string().empty())
                    record->id = std::string(id.as_string());
            done(response);
        };
    }
    if (!ctx.decoded.native_path.empty())
        ctx.decoded.translate_native_answer = [done_native = std::move(done_native)] {
            return router::make_native_responses_translator(done_native);
        };
    ctx.decoded.translate_answer = [frame = std::move(frame), done = std::move(done)] {
        return router::make_chat_to_responses_translator(frame, done);
    };
    // The chat body, decoded once for the cache and the local engine; one
    // the chat decoder refuses still goes on (upstreams take more).
    auto chat = api::decode_chat_completion_request(ctx.decoded.backend_body);
    if (!chat.ok()) return {};
    // A stored answer has an id of its own, so it is never a cached one.
    ctx.decoded.deterministic = !translated->store && is_deterministic(chat->sampling);
    ctx.decoded.body.chat = std::move(chat).value();
    return {};
}

std::unique_ptr<RequestTask> handle_get_response(RouteContext& ctx) {
    ResponseStore* store = store_or_fail(ctx);
    if (store == nullptr) return nullptr;
    auto found = find_own(*store, ctx.id, owner_of(ctx.caller()));
    if (!found.ok()) return ctx.fail(found.status());
    return ctx.respond(json_response(200, std::move(found->response)));
}

std::unique_ptr<RequestTask> handle_delete_response(RouteContext& ctx) {
    ResponseStore* store = store_or_fail(ctx);
    if (store == nullptr) return nullptr;
    auto found = find_own(*store, ctx.id, owner_of(ctx.caller()));
    if (!found.ok()) return ctx.fail(found.status());
    auto removed = store->remove(ctx.id);
    if (!removed.ok()) return ctx.fail(removed.status());
    codec::JsonWriter w;
    w.begin_object().field("id", std::string_view(ctx.id)).field("object", "response");
    w.field("deleted", true).end_object();
    return ctx.respond(json_response(200, w.take()));
}

std::unique_ptr<RequestTask> handle_response_input_items(RouteContext& ctx) {
    ResponseStore* store = store_or_fail(ctx);
    if (store == nullptr) return nullptr;
    const std::string_view target = ctx.request.target;
    auto limit = page_limit(target, 20);
    if (!limit.ok()) return ctx.fail(limit.status());
    const std::string_view order = core::query_param(target, "order").value_or("desc");
    if (order != "asc" && order != "desc") {
        return ctx.fail(
            core::invalid_argument("order must be 'asc' or 'desc'").with_field("order"));
    }
    const std::string after(core::query_param(target, "after").value_or(""));
    auto found = find_own(*store, ctx.id, owner_of(ctx.caller()));
    if (!found.ok()) return ctx.fail(found.status());
    auto doc = codec::JsonDocument::parse(found->input_items);
    if (!doc.ok() || !doc->root().is_array())
        return ctx.fail(core::Status(core::StatusCode::kDataLoss,
                                     "the stored input of " + ctx.id + " cannot be read"));
    const codec::JsonValue items = doc->root();
    std::vector<size_t> order_of;
    for (size_t i = 0; i < items.size(); ++i)
        order_of.push_back(order == "asc" ? i : items.size() - 1 - i);
    size_t start = 0;
    if (!after.empty()) {
        while (start < order_of.size() && items.at(order_of[start])["id"].as_string() != after)
            ++start;
        start = start < order_of.size() ? start + 1 : order_of.size();
    }
    std::vector<std::string> page, ids;
    for (size_t k = start; k < order_of.size() && page.size() < *limit; ++k) {
        const codec::JsonValue item = items.at(order_of[k]);
        std::string json;
        codec::JsonWriter w(&json);
        codec::write_json_value(w, item);
        page.push_back(std::move(json));
        ids.emplace_back(item["id"].as_string());
    }
    const bool has_more = start + page.size() < order_of.size();
    return ctx.respond(json_response(200, list_page_json(page, ids, has_more)));
}

} // namespace edgeai::gateway
