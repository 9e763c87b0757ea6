// What a route's decoder and handler get: the request, its exchange (the
// response side, who is calling), the route's line and its path capture, and
// what the decoder read from the body, decoded once for every later step.
#pragma once

#include "api/openai_requests.h"
#include "core/http_types.h"
#include "gateway/exchange.h"
#include "gateway/route_table.h"
#include "router/translating_observer.h"

#include <functional>
#include <memory>
#include <string>

namespace edgeai::gateway {

using TranslatorFactory = std::function<std::unique_ptr<router::ResponseTranslator>()>;

struct DecodedRequest {
    // The model the request names; empty when it names none. The key's
    // model allow-list is checked against it before the handler runs.
    std::string model;
    // Admission (rate limits, budgets, concurrency) applies to the request.
    bool spends_tokens = false;
    // For inference routes: where a backend serves it, whether it streams,
    // and whether the same request always gets the same answer (cacheable).
    std::string backend_path;
    bool stream = false;
    bool deterministic = false;
    // What goes to the backend when it is not the client's body: Anthropic's
    // Messages request translated into a chat completion.
    std::string backend_body;
    bool translated = false;
    // The typed request, for a backend that reads its fields (the engine).
    api::DecodedBody body;
    // Makes the translation each attempt's answer goes through when the
    // client speaks another API than the backends' chat completions (the
    // Responses API); null: none, or the endpoint's own (Messages).
    TranslatorFactory translate_answer;
    // The same request for a backend that serves it in the client's own API
    // (the Responses API to an upstream that has it), with its answer's
    // handling; empty path: none.
    std::string native_path;
    std::string native_body;
    TranslatorFactory translate_native_answer;
};

struct RouteContext {
    Gateway::Shared& shared;
    std::unique_ptr<Exchange> exchange;
    core::HttpRequest request;
    const Route& route;
    std::string id; // the path's capture: a model, job, file, batch or key id
    DecodedRequest decoded;

    const GatewayDeps& deps() const { return shared.deps; }
    Caller& caller() { return exchange->caller(); }
    // Answers `error` (in the client's API shape); handlers `return fail(...)`.
    std::unique_ptr<RequestTask> fail(const api::ApiError& error) {
        exchange->respond_error(error);
        return nullptr;
    }
    std::unique_ptr<RequestTask> fail(const core::Status& status) {
        return fail(api::api_error_from_status(status));
    }
    std::unique_ptr<RequestTask> respond(core::HttpResponse response) {
        exchange->respond(std::move(response));
        return nullptr;
    }
};

} // namespace edgeai::gateway
