#include "api/responses/responses_answers.h"

#include "api/anthropic/anthropic_common.h"
#include "api/api_error.h"
#include "api/responses/responses_requests.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <algorithm>

namespace edgeai::api::responses {

namespace {

using anthropic::detail::add_tokens;
using anthropic::detail::token_count;
using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;

// The part of an id after its prefix ("msg_" + hex), shared by the ids
// derived from it.
std::string_view id_digits(std::string_view id) {
    const size_t underscore = id.find('_');
    return underscore == std::string_view::npos ? id : id.substr(underscore + 1);
}

} // namespace

std::string function_call_item_id(const ResponseFrame& frame, size_t index) {
    return "fc_" + std::string(id_digits(frame.message_id)) + "_" + std::to_string(index);
}

Outcome outcome_for(std::string_view finish_reason) {
    if (finish_reason == "length") return {"incomplete", "max_output_tokens"};
    if (finish_reason == "content_filter") return {"incomplete", "content_filter"};
    return {"completed", {}};
}

std::string render_response(const ResponseFrame& frame, std::string_view model,
                            std::string_view status, std::string_view incomplete_reason,
                            std::string_view output, const ResponseUsage* usage) {
    JsonWriter w;
    w.begin_object().field("id", std::string_view(frame.id)).field("object", "response");
    w.field("created_at", frame.created_at).field("status", status);
    w.key("error").null().key("incomplete_details");
    if (incomplete_reason.empty()) {
        w.null();
    } else {
        w.begin_object().field("reason", incomplete_reason).end_object();
    }
    w.field("model", model).key("output").raw(output.empty() ? std::string_view("[]") : output);
    w.key("usage");
    if (usage == nullptr) {
        w.null();
    } else {
        w.begin_object().field("input_tokens", usage->input_tokens);
        w.key("input_tokens_details").begin_object();
        w.field("cached_tokens", usage->cached_tokens).end_object();
        w.field("output_tokens", usage->output_tokens);
        w.key("output_tokens_details").begin_object().field("reasoning_tokens", 0).end_object();
        w.field("total_tokens", add_tokens(usage->input_tokens, usage->output_tokens));
        w.end_object();
    }
    w.end_object();
    std::string out = w.take();
    // The request's settings, already JSON members.
    if (!frame.echo.empty()) {
        out.pop_back();
        out += ',';
        out += frame.echo;
        out += '}';
    }
    return out;
}

core::Result<std::string> chat_response_to_response(std::string_view chat_completion_body,
                                                    const ResponseFrame& frame) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc,
                            anthropic::detail::parse_backend_body(chat_completion_body));
    JsonValue root = doc.root();
    JsonValue choices = root["choices"];
    if (!choices.is_array() || choices.size() == 0 || !choices.at(0).is_object()) {
        return core::Status(core::StatusCode::kDataLoss,
                            "the chat completion has no choices[0] object");
    }
    JsonValue choice = choices.at(0);
    JsonValue message = choice["message"];
    const Outcome outcome = outcome_for(choice["finish_reason"].as_string());

    JsonWriter w;
    w.begin_array();
    std::string_view text = message["content"].as_string();
    std::string_view refusal = message["refusal"].as_string();
    JsonValue calls = message["tool_calls"];
    if (!text.empty() || !refusal.empty() || calls.size() == 0) {
        w.begin_object().field("id", std::string_view(frame.message_id));
        w.field("type", "message")
            .field("status", outcome.status == "completed" ? std::string_view("completed")
                                                           : std::string_view("incomplete"));
        w.field("role", "assistant").key("content").begin_array();
        if (!refusal.empty()) {
            w.begin_object().field("type", "refusal").field("refusal", refusal).end_object();
        } else {
            w.begin_object().field("type", "output_text").field("text", text);
            w.key("annotations").begin_array().end_array();
            // The chat answer's logprobs.content has the Responses shape already.
            JsonValue logprobs = choice["logprobs"]["content"];
            w.key("logprobs");
            if (logprobs.is_array())
                codec::write_json_value(w, logprobs);
            else
                w.begin_array().end_array();
            w.end_object();
        }
        w.end_array().end_object();
    }
    for (size_t i = 0; i < calls.size(); ++i) {
        JsonValue call = calls.at(i);
        w.begin_object().field("id", std::string_view(function_call_item_id(frame, i)));
        w.field("type", "function_call").field("status", "completed");
        w.field("call_id", call["id"].as_string());
        w.field("name", call["function"]["name"].as_string());
        w.field("arguments", call["function"]["arguments"].as_string()).end_object();
    }
    w.end_array();

    ResponseUsage usage;
    JsonValue u = root["usage"];
    usage.input_tokens = token_count(u["prompt_tokens"]);
    usage.output_tokens = token_count(u["completion_tokens"]);
    usage.cached_tokens =
        std::min(usage.input_tokens, token_count(u["prompt_tokens_details"]["cached_tokens"]));
    std::string_view model = root["model"].as_string();
    return render_response(frame, model, outcome.status, outcome.incomplete_reason, w.str(),
                           &usage);
}

std::string error_body_to_responses(int http_status, std::string_view body) {
    auto doc = JsonDocument::parse(body);
    if (!doc.ok() || !doc->root()["error"].is_object() ||
        !doc->root()["error"]["message"].is_string()) {
        return render_api_error(upstream_error(http_status, "the backend answered " +
                                                                std::to_string(http_status) + ": " +
                                                                anthropic::detail::excerpt(body)));
    }
    JsonValue error = doc->root()["error"];
    std::string_view param = error["param"].as_string();
    if (param == responses_param_for(param)) return std::string(body);
    ApiError e;
    e.http_status = http_status;
    e.type.assign(error["type"].as_string());
    e.code.assign(error["code"].as_string());
    e.message.assign(error["message"].as_string());
    e.param.assign(responses_param_for(param));
    // Messages that start with the field's name ("response_format: ...") name the client's.
    if (e.message.size() > param.size() && e.message.compare(0, param.size(), param) == 0 &&
        e.message[param.size()] == ':')
        e.message.replace(0, param.size(), e.param);
    return render_api_error(e);
}

} // namespace edgeai::api::responses
