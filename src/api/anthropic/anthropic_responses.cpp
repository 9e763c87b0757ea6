#include "api/anthropic/anthropic_responses.h"

#include "api/anthropic/anthropic_common.h"
#include "api/api_error.h"
#include "api/field_check.h"
#include "codec/json/json_writer.h"
#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <limits>

namespace edgeai::api::anthropic {

namespace detail {

core::Result<codec::JsonDocument> parse_backend_body(std::string_view body) {
    auto doc = codec::JsonDocument::parse(body);
    if (!doc.ok()) {
        return core::data_loss("The backend's answer is not JSON (" + doc.status().message() +
                               "): " + excerpt(body));
    }
    if (!doc->root().is_object()) {
        return core::data_loss("The backend's answer must be a JSON object, found " +
                               std::string(codec::json_type_phrase(doc->root().type())));
    }
    return doc;
}

core::Status backend_error(const core::Status& field_status) {
    core::Status s(core::StatusCode::kDataLoss,
                   "The backend's answer does not have the expected shape: " +
                       field_status.message());
    s.with_field(field_status.field());
    return s;
}

int64_t token_count(codec::JsonValue v) {
    int64_t n = v.as_int64();
    return n < 0 ? 0 : n;
}

int64_t add_tokens(int64_t a, int64_t b) {
    if (a < 0) a = 0;
    if (b < 0) b = 0;
    if (a > std::numeric_limits<int64_t>::max() - b) return std::numeric_limits<int64_t>::max();
    return a + b;
}

std::string message_id_for(std::string_view chat_id) {
    if (chat_id.substr(0, 4) == "msg_") return std::string(chat_id);
    return "msg_" + std::string(chat_id);
}

bool is_anthropic_error_type(std::string_view type) {
    for (std::string_view t : {"invalid_request_error", "authentication_error", "permission_error",
                               "not_found_error", "request_too_large", "rate_limit_error",
                               "api_error", "overloaded_error", "billing_error", "timeout_error"}) {
        if (type == t) return true;
    }
    return false;
}

std::string_view openai_error_type_for(std::string_view anthropic_type, int http_status) {
    // The types OpenAI's SDKs know by the same name pass as they are; the rest
    // are folded into OpenAI's two broad classes.
    for (std::string_view t : {"invalid_request_error", "authentication_error", "permission_error",
                               "rate_limit_error"}) {
        if (anthropic_type == t) return t;
    }
    if (anthropic_type == "not_found_error" || anthropic_type == "request_too_large") {
        return "invalid_request_error";
    }
    if (anthropic_type == "api_error" || anthropic_type == "overloaded_error" ||
        anthropic_type == "timeout_error") {
        return "server_error";
    }
    return http_status >= 400 && http_status < 500 ? "invalid_request_error" : "server_error";
}

std::string excerpt(std::string_view bytes) {
    constexpr size_t kMax = 200;
    if (bytes.size() <= kMax) return std::string(bytes);
    size_t cut = kMax;
    // Back off over continuation bytes so the cut does not split a character.
    while (cut > 0 && (static_cast<unsigned char>(bytes[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(bytes.substr(0, cut)) + "...";
}

bool split_base64_data_url(std::string_view url, std::string_view* media_type,
                           std::string_view* data) {
    constexpr std::string_view kScheme = "data:";
    constexpr std::string_view kMarker = ";base64,";
    if (url.substr(0, kScheme.size()) != kScheme) return false;
    size_t marker = url.find(kMarker);
    if (marker == std::string_view::npos) return false;
    *media_type = url.substr(kScheme.size(), marker - kScheme.size());
    *data = url.substr(marker + kMarker.size());
    return !media_type->empty() && media_type->find(',') == std::string_view::npos;
}

} // namespace detail

namespace {

using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;
using detail::backend_error;

// A tool call's arguments (a JSON string, or from some servers an object) as
// the object Messages wants for `input`.
core::Status write_tool_input(JsonWriter& w, JsonValue arguments, const std::string& field) {
    if (arguments.is_object()) {
        codec::write_json_value(w, arguments);
        return {};
    }
    if (!arguments.is_missing() && !arguments.is_null() && !arguments.is_string()) {
        return backend_error(
            field_error(field, "expected a JSON string, found " +
                                   std::string(codec::json_type_phrase(arguments.type()))));
    }
    std::string_view text = arguments.as_string();
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        // A call without parameters: several servers send "" rather than "{}".
        w.begin_object().end_object();
        return {};
    }
    auto parsed = JsonDocument::parse(text);
    if (!parsed.ok() || !parsed->root().is_object()) {
        core::Status s(core::StatusCode::kDataLoss,
                       "The backend's tool call arguments are not a JSON object (" +
                           (parsed.ok() ? "found " + std::string(codec::json_type_phrase(
                                                         parsed->root().type()))
                                        : parsed.status().message()) +
                           "): " + detail::excerpt(text));
        s.with_field(field);
        return s;
    }
    codec::write_json_value(w, parsed->root());
    return {};
}

// Text of a chat message's content: a string, or its text parts joined.
std::string content_text(JsonValue content) {
    if (content.is_string()) return std::string(content.as_string());
    std::string text;
    for (size_t i = 0; i < content.size(); ++i) {
        JsonValue part = content.at(i);
        if (part["type"].as_string() == "text") text.append(part["text"].as_string());
    }
    return text;
}

} // namespace

std::string_view stop_reason_for(std::string_view finish_reason) {
    if (finish_reason == "length") return "max_tokens";
    if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
    if (finish_reason == "content_filter") return "refusal";
    return "end_turn";
}

std::string_view finish_reason_for(std::string_view stop_reason) {
    if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
        return "length";
    }
    if (stop_reason == "tool_use") return "tool_calls";
    if (stop_reason == "refusal") return "content_filter";
    return "stop";
}

core::Result<std::string> chat_response_to_message(std::string_view chat_completion_body) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, detail::parse_backend_body(chat_completion_body));
    JsonValue root = doc.root();
    JsonValue choices = root["choices"];
    if (core::Status s = require_array(choices, "choices"); !s.ok()) return backend_error(s);
    JsonValue choice = choices.at(0);
    if (core::Status s = require_object(choice, "choices[0]"); !s.ok()) return backend_error(s);
    JsonValue message = choice["message"];
    if (core::Status s = require_object(message, "choices[0].message"); !s.ok()) {
        return backend_error(s);
    }
    JsonValue tool_calls = message["tool_calls"];
    if (!tool_calls.is_missing() && !tool_calls.is_null()) {
        if (core::Status s = require_array(tool_calls, "choices[0].message.tool_calls", true);
            !s.ok()) {
            return backend_error(s);
        }
    }

    JsonWriter w;
    w.begin_object();
    w.field("id", std::string_view(detail::message_id_for(root["id"].as_string())));
    w.field("type", "message").field("role", "assistant");
    w.field("model", root["model"].as_string());
    w.key("content").begin_array();
    std::string text = content_text(message["content"]);
    bool refused = false;
    if (text.empty() && message["refusal"].is_string() && !message["refusal"].as_string().empty()) {
        text.assign(message["refusal"].as_string());
        refused = true;
    }
    if (!text.empty()) {
        w.begin_object().field("type", "text").field("text", std::string_view(text)).end_object();
    }
    for (size_t j = 0; j < tool_calls.size(); ++j) {
        const std::string field = indexed("choices[0].message.tool_calls", j);
        JsonValue call = tool_calls.at(j);
        if (core::Status s = require_object(call, field); !s.ok()) return backend_error(s);
        JsonValue function = call["function"];
        if (core::Status s = require_object(function, field + ".function"); !s.ok()) {
            return backend_error(s);
        }
        if (core::Status s = require_string(function["name"], field + ".function.name"); !s.ok()) {
            return backend_error(s);
        }
        w.begin_object().field("type", "tool_use");
        std::string id(call["id"].as_string());
        // Some local servers leave ids out; Messages needs one to pair results with.
        if (id.empty()) id = "toolu_" + std::to_string(j);
        w.field("id", std::string_view(id));
        w.field("name", function["name"].as_string());
        w.key("input");
        EDGEAI_TRY(write_tool_input(w, function["arguments"], field + ".function.arguments"));
        w.end_object();
    }
    w.end_array();

    std::string_view stop_reason = stop_reason_for(choice["finish_reason"].as_string());
    // Agents loop on stop_reason "tool_use"; servers that report "stop" for a
    // turn that calls tools would otherwise end the loop with the calls unrun.
    if (tool_calls.size() > 0 && stop_reason == "end_turn") stop_reason = "tool_use";
    if (refused && stop_reason == "end_turn") stop_reason = "refusal";
    w.field("stop_reason", stop_reason);
    w.key("stop_sequence").null();

    JsonValue usage = root["usage"];
    int64_t prompt = detail::token_count(usage["prompt_tokens"]);
    int64_t cached = detail::token_count(usage["prompt_tokens_details"]["cached_tokens"]);
    if (cached > prompt) cached = prompt;
    w.key("usage").begin_object();
    // OpenAI counts cached tokens inside prompt_tokens; Messages counts them apart.
    w.field("input_tokens", prompt - cached);
    w.field("output_tokens", detail::token_count(usage["completion_tokens"]));
    if (cached > 0) w.field("cache_read_input_tokens", cached);
    w.end_object();
    w.end_object();
    return w.take();
}

core::Result<std::string> message_to_chat_response(std::string_view message_body,
                                                   int64_t created_unix_s) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, detail::parse_backend_body(message_body));
    JsonValue root = doc.root();
    JsonValue content = root["content"];
    if (core::Status s = require_array(content, "content", true); !s.ok()) return backend_error(s);

    std::string text;
    std::string calls;
    JsonWriter cw(&calls);
    cw.begin_array();
    size_t call_count = 0;
    for (size_t i = 0; i < content.size(); ++i) {
        const std::string field = indexed("content", i);
        JsonValue block = content.at(i);
        if (core::Status s = require_object(block, field); !s.ok()) return backend_error(s);
        if (core::Status s = require_string(block["type"], field + ".type"); !s.ok()) {
            return backend_error(s);
        }
        std::string_view type = block["type"].as_string();
        if (type == "text") {
            text.append(block["text"].as_string());
        } else if (type == "tool_use") {
            if (core::Status s = require_string(block["id"], field + ".id"); !s.ok()) {
                return backend_error(s);
            }
            if (core::Status s = require_string(block["name"], field + ".name"); !s.ok()) {
                return backend_error(s);
            }
            std::string arguments;
            JsonWriter aw(&arguments);
            if (block["input"].is_object()) {
                codec::write_json_value(aw, block["input"]);
            } else {
                aw.begin_object().end_object();
            }
            cw.begin_object().field("id", block["id"].as_string()).field("type", "function");
            cw.key("function").begin_object().field("name", block["name"].as_string());
            cw.field("arguments", std::string_view(arguments)).end_object().end_object();
            ++call_count;
        }
        // thinking, redacted_thinking and server tool blocks have no chat
        // completion counterpart; the text and calls carry the answer.
    }
    cw.end_array();

    std::string_view id = root["id"].as_string();
    JsonWriter w;
    w.begin_object();
    w.field("id", id.empty() ? std::string_view("chatcmpl-edgeai") : id);
    w.field("object", "chat.completion").field("created", created_unix_s);
    w.field("model", root["model"].as_string());
    w.key("choices").begin_array().begin_object().field("index", 0);
    w.key("message").begin_object().field("role", "assistant");
    w.key("content");
    if (!text.empty() || call_count == 0) {
        w.value(std::string_view(text));
    } else {
        w.null();
    }
    if (call_count > 0) w.key("tool_calls").raw(calls);
    w.key("refusal").null();
    w.end_object();
    w.key("logprobs").null();
    w.field("finish_reason", finish_reason_for(root["stop_reason"].as_string()));
    w.end_object().end_array();

    JsonValue usage = root["usage"];
    int64_t cache_read = detail::token_count(usage["cache_read_input_tokens"]);
    int64_t prompt = detail::add_tokens(
        detail::add_tokens(detail::token_count(usage["input_tokens"]),
                           detail::token_count(usage["cache_creation_input_tokens"])),
        cache_read);
    int64_t completion = detail::token_count(usage["output_tokens"]);
    w.key("usage").begin_object();
    w.field("prompt_tokens", prompt).field("completion_tokens", completion);
    w.field("total_tokens", detail::add_tokens(prompt, completion));
    if (cache_read > 0) {
        w.key("prompt_tokens_details").begin_object().field("cached_tokens", cache_read);
        w.end_object();
    }
    w.end_object();
    w.end_object();
    return w.take();
}

std::string_view error_type_for_status(int http_status) {
    switch (http_status) {
    case 400:
        return "invalid_request_error";
    case 401:
        return "authentication_error";
    case 403:
        return "permission_error";
    case 404:
        return "not_found_error";
    case 413:
        return "request_too_large";
    case 429:
        return "rate_limit_error";
    case 529:
        return "overloaded_error";
    default:
        break;
    }
    return http_status >= 500 ? "api_error" : "invalid_request_error";
}

std::string render_error(std::string_view type, std::string_view message) {
    JsonWriter w;
    w.begin_object().field("type", "error").key("error").begin_object();
    w.field("type", type).field("message", message);
    w.end_object().end_object();
    return w.take();
}

bool is_anthropic_error_body(std::string_view body) {
    auto doc = JsonDocument::parse(body);
    if (!doc.ok()) return false;
    JsonValue root = doc->root();
    return root["type"].as_string() == "error" && root["error"].is_object() &&
           root["error"]["message"].is_string();
}

namespace {

// What an error body says, whichever shape it has: Anthropic's and OpenAI's
// {"error":{"message"}}, {"error":"..."}, FastAPI's {"detail":"..."} (vLLM),
// {"message":"..."}; other bytes are quoted.
struct ErrorFacts {
    std::string type; // as the body named it; may be empty
    std::string message;
};

ErrorFacts error_facts(int http_status, std::string_view body) {
    ErrorFacts f;
    auto doc = JsonDocument::parse(body);
    if (doc.ok()) {
        JsonValue root = doc->root();
        JsonValue error = root["error"];
        if (error.is_object()) {
            f.type.assign(error["type"].as_string());
            f.message.assign(error["message"].as_string());
        } else if (error.is_string()) {
            f.message.assign(error.as_string());
        } else if (root["detail"].is_string()) {
            f.message.assign(root["detail"].as_string());
        } else if (root["message"].is_string()) {
            f.message.assign(root["message"].as_string());
        }
    }
    if (f.message.empty()) {
        f.message = "The backend answered HTTP " + std::to_string(http_status);
        if (!body.empty()) f.message += ": " + detail::excerpt(body);
    }
    return f;
}

} // namespace

std::string error_body_to_anthropic(int http_status, std::string_view body) {
    ErrorFacts f = error_facts(http_status, body);
    std::string_view type = detail::is_anthropic_error_type(f.type)
                                ? std::string_view(f.type)
                                : error_type_for_status(http_status);
    return render_error(type, f.message);
}

std::string error_body_to_openai(int http_status, std::string_view body) {
    // Passed on as it is only when it is one whole JSON value: the parser
    // stops at a NUL, so bytes after one would otherwise ride along.
    if (is_openai_error_body(body) && !is_anthropic_error_body(body) && codec::is_valid_json(body))
        return std::string(body);
    ErrorFacts f = error_facts(http_status, body);
    ApiError e;
    e.http_status = http_status;
    e.type = std::string(detail::openai_error_type_for(f.type, http_status));
    e.message = std::move(f.message);
    return render_api_error(e);
}

std::string error_event(std::string_view type, std::string_view message) {
    std::string out;
    codec::append_sse_event(out, "error", render_error(type, message));
    return out;
}

} // namespace edgeai::api::anthropic
