// Inbound: a Messages request (POST /v1/messages) becomes a chat completion
// request, so any backend can answer it.
#include "api/anthropic/anthropic_requests.h"

#include "api/anthropic/anthropic_common.h"
#include "api/anthropic/anthropic_request_fields.h"
#include "api/field_check.h"
#include "api/openai_requests.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <string>
#include <utility>

namespace edgeai::api::anthropic {

namespace {

using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;
using detail::absent;
using detail::found;
using detail::quoted;
using detail::require_block;

// An image block -> an image_url part (base64 sources become data URLs).
core::Status write_image_part(JsonWriter& w, JsonValue block, const std::string& field) {
    JsonValue source = block["source"];
    const std::string source_field = field + ".source";
    EDGEAI_TRY(require_object(source, source_field));
    EDGEAI_TRY(require_string(source["type"], source_field + ".type"));
    EDGEAI_TRY(optional_enum(source["type"], source_field + ".type", {"base64", "url"}));
    std::string url;
    if (source["type"].as_string() == "base64") {
        EDGEAI_TRY(require_string(source["media_type"], source_field + ".media_type"));
        EDGEAI_TRY(require_string(source["data"], source_field + ".data"));
        url = "data:" + std::string(source["media_type"].as_string()) + ";base64," +
              std::string(source["data"].as_string());
    } else {
        EDGEAI_TRY(require_string(source["url"], source_field + ".url"));
        url.assign(source["url"].as_string());
    }
    w.begin_object().field("type", "image_url").key("image_url").begin_object();
    w.field("url", std::string_view(url)).end_object().end_object();
    return {};
}

core::Status unexpected_block(std::string_view type, const std::string& field,
                              std::string_view expected, std::string_view why = {}) {
    std::string message = "expected one of " + std::string(expected) + "; found " + quoted(type);
    if (!why.empty()) message += ". " + std::string(why);
    return field_error(field + ".type", std::move(message));
}

// The parts of one user turn that follow its tool results.
struct UserParts {
    std::string json;
    JsonWriter w{&json};
    size_t count = 0;
    size_t text_count = 0;
    std::string_view first_text;
};

// tool_result content -> the text of a "tool" message. Chat completions take
// text only from tools, so images go to the user message that follows.
core::Status tool_result_text(JsonValue content, const std::string& field, std::string* text,
                              UserParts* parts) {
    if (absent(content)) return {};
    if (content.is_string()) {
        text->assign(content.as_string());
        return {};
    }
    if (!content.is_array()) {
        return field_error(field, "expected a string or an array of text and image blocks, " +
                                      found(content));
    }
    for (size_t k = 0; k < content.size(); ++k) {
        const std::string block_field = indexed(field, k);
        JsonValue block = content.at(k);
        EDGEAI_TRY(require_block(block, block_field));
        std::string_view type = block["type"].as_string();
        if (type == "text") {
            EDGEAI_TRY(require_string(block["text"], block_field + ".text", true));
            if (!text->empty()) text->push_back('\n');
            text->append(block["text"].as_string());
        } else if (type == "image") {
            EDGEAI_TRY(write_image_part(parts->w, block, block_field));
            ++parts->count;
        } else {
            return unexpected_block(type, block_field, "text, image");
        }
    }
    return {};
}

core::Status write_user_turn(JsonWriter& w, JsonValue content, const std::string& field) {
    if (content.is_string()) {
        w.begin_object().field("role", "user").field("content", content.as_string()).end_object();
        return {};
    }
    UserParts parts;
    parts.w.begin_array();
    for (size_t j = 0; j < content.size(); ++j) {
        const std::string block_field = indexed(field, j);
        JsonValue block = content.at(j);
        EDGEAI_TRY(require_block(block, block_field));
        std::string_view type = block["type"].as_string();
        if (type == "text") {
            EDGEAI_TRY(require_string(block["text"], block_field + ".text", true));
            parts.w.begin_object().field("type", "text").field("text", block["text"].as_string());
            parts.w.end_object();
            if (parts.text_count++ == 0) parts.first_text = block["text"].as_string();
            ++parts.count;
        } else if (type == "image") {
            EDGEAI_TRY(write_image_part(parts.w, block, block_field));
            ++parts.count;
        } else if (type == "tool_result") {
            EDGEAI_TRY(require_string(block["tool_use_id"], block_field + ".tool_use_id"));
            EDGEAI_TRY(optional_bool(block["is_error"], block_field + ".is_error"));
            std::string text;
            EDGEAI_TRY(tool_result_text(block["content"], block_field + ".content", &text, &parts));
            // Written at once: chat completions want a tool's answer right
            // after the assistant turn that called it, before the user speaks.
            w.begin_object().field("role", "tool");
            w.field("tool_call_id", block["tool_use_id"].as_string());
            w.field("content", std::string_view(text)).end_object();
        } else if (type == "document") {
            return unexpected_block(type, block_field, "text, image, tool_result",
                                    "Document blocks have no counterpart in OpenAI-compatible "
                                    "chat completions; send the document's text as a text block");
        } else {
            return unexpected_block(type, block_field, "text, image, tool_result");
        }
    }
    parts.w.end_array();
    if (parts.count == 0) return {};
    w.begin_object().field("role", "user").key("content");
    if (parts.count == 1 && parts.text_count == 1) {
        w.value(parts.first_text);
    } else {
        w.raw(parts.json);
    }
    w.end_object();
    return {};
}

core::Status write_assistant_turn(JsonWriter& w, JsonValue content, const std::string& field) {
    std::string text;
    std::string calls;
    JsonWriter cw(&calls);
    cw.begin_array();
    size_t call_count = 0;
    if (content.is_string()) text.assign(content.as_string());
    for (size_t j = 0; j < content.size() && content.is_array(); ++j) {
        const std::string block_field = indexed(field, j);
        JsonValue block = content.at(j);
        EDGEAI_TRY(require_block(block, block_field));
        std::string_view type = block["type"].as_string();
        if (type == "text") {
            EDGEAI_TRY(require_string(block["text"], block_field + ".text", true));
            text.append(block["text"].as_string());
        } else if (type == "tool_use") {
            EDGEAI_TRY(require_string(block["id"], block_field + ".id"));
            EDGEAI_TRY(require_string(block["name"], block_field + ".name"));
            EDGEAI_TRY(require_object(block["input"], block_field + ".input"));
            std::string arguments;
            JsonWriter aw(&arguments);
            codec::write_json_value(aw, block["input"]);
            cw.begin_object().field("id", block["id"].as_string()).field("type", "function");
            cw.key("function").begin_object().field("name", block["name"].as_string());
            cw.field("arguments", std::string_view(arguments)).end_object().end_object();
            ++call_count;
        } else if (type == "thinking" || type == "redacted_thinking") {
            // Earlier reasoning is signed for Anthropic's own models; another
            // backend can neither check nor use it, and the answer stands without it.
        } else {
            return unexpected_block(type, block_field,
                                    "text, tool_use, thinking, redacted_thinking");
        }
    }
    cw.end_array();
    w.begin_object().field("role", "assistant").key("content");
    if (text.empty() && call_count > 0) {
        w.null();
    } else {
        w.value(std::string_view(text));
    }
    if (call_count > 0) w.key("tool_calls").raw(calls);
    w.end_object();
    return {};
}

core::Status write_system(JsonWriter& w, JsonValue system) {
    if (absent(system)) return {};
    std::string text;
    if (system.is_string()) {
        text.assign(system.as_string());
    } else if (system.is_array()) {
        for (size_t i = 0; i < system.size(); ++i) {
            const std::string field = indexed("system", i);
            EDGEAI_TRY(require_block(system.at(i), field));
            EDGEAI_TRY(optional_enum(system.at(i)["type"], field + ".type", {"text"}));
            EDGEAI_TRY(require_string(system.at(i)["text"], field + ".text", true));
            if (!text.empty()) text += "\n\n";
            text.append(system.at(i)["text"].as_string());
        }
    } else {
        return field_error("system",
                           "expected a string or an array of text blocks, " + found(system));
    }
    if (text.empty()) return {};
    w.begin_object().field("role", "system").field("content", std::string_view(text)).end_object();
    return {};
}

core::Status write_chat_tools(JsonWriter& w, JsonValue tools) {
    if (absent(tools)) return {};
    EDGEAI_TRY(require_array(tools, "tools", true));
    w.key("tools").begin_array();
    for (size_t i = 0; i < tools.size(); ++i) {
        const std::string field = indexed("tools", i);
        JsonValue tool = tools.at(i);
        EDGEAI_TRY(require_object(tool, field));
        JsonValue type = tool["type"];
        if (!absent(type) && type.as_string() != "custom") {
            std::string what = type.is_string() ? quoted(type.as_string()) : found(type);
            return field_error(field + ".type",
                               "expected no type or 'custom'; found " + what +
                                   ". Server tools run on Anthropic's side and are not "
                                   "available through an OpenAI-compatible backend");
        }
        EDGEAI_TRY(require_string(tool["name"], field + ".name"));
        EDGEAI_TRY(optional_string(tool["description"], field + ".description"));
        EDGEAI_TRY(require_object(tool["input_schema"], field + ".input_schema"));
        w.begin_object().field("type", "function").key("function").begin_object();
        w.field("name", tool["name"].as_string());
        if (tool["description"].is_string()) {
            w.field("description", tool["description"].as_string());
        }
        w.key("parameters");
        codec::write_json_value(w, tool["input_schema"]);
        w.end_object().end_object();
    }
    w.end_array();
    return {};
}

core::Status write_chat_tool_choice(JsonWriter& w, JsonValue choice) {
    EDGEAI_TRY(optional_object(choice, "tool_choice"));
    if (!choice.is_object()) return {};
    EDGEAI_TRY(require_string(choice["type"], "tool_choice.type"));
    EDGEAI_TRY(optional_enum(choice["type"], "tool_choice.type", {"auto", "any", "tool", "none"}));
    EDGEAI_TRY(optional_bool(choice["disable_parallel_tool_use"],
                             "tool_choice.disable_parallel_tool_use"));
    std::string_view type = choice["type"].as_string();
    w.key("tool_choice");
    if (type == "tool") {
        EDGEAI_TRY(require_string(choice["name"], "tool_choice.name"));
        w.begin_object().field("type", "function").key("function").begin_object();
        w.field("name", choice["name"].as_string()).end_object().end_object();
    } else {
        w.value(type == "any" ? "required" : type);
    }
    if (choice["disable_parallel_tool_use"].as_bool()) w.field("parallel_tool_calls", false);
    return {};
}

} // namespace

namespace {

// count_tokens takes a Messages body without max_tokens.
core::Result<TranslatedChatRequest> translate(std::string_view messages_body, bool counting) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, parse_request_body(messages_body));
    JsonValue root = doc.root();
    TranslatedChatRequest out;

    EDGEAI_TRY(require_model(root["model"]));
    if (absent(root["max_tokens"]) && !counting) return field_error("max_tokens", "is required");
    EDGEAI_TRY(optional_integer(root["max_tokens"], "max_tokens", 1, INT32_MAX));
    EDGEAI_TRY(require_array(root["messages"], "messages"));
    EDGEAI_TRY(optional_bool(root["stream"], "stream"));
    EDGEAI_TRY(optional_number(root["temperature"], "temperature", 0, 1));
    EDGEAI_TRY(optional_number(root["top_p"], "top_p", 0, 1));
    EDGEAI_TRY(optional_integer(root["top_k"], "top_k", 0, INT32_MAX));
    JsonValue stops = root["stop_sequences"];
    if (!absent(stops)) {
        EDGEAI_TRY(require_array(stops, "stop_sequences", true));
        if (stops.size() > kMaxStopSequences) {
            return field_error("stop_sequences",
                               "at most " + std::to_string(kMaxStopSequences) +
                                   " stop sequences can be passed on to an OpenAI-compatible "
                                   "backend, found " +
                                   std::to_string(stops.size()));
        }
        for (size_t i = 0; i < stops.size(); ++i) {
            EDGEAI_TRY(require_string(stops.at(i), indexed("stop_sequences", i), true));
        }
    }
    JsonValue metadata = root["metadata"];
    EDGEAI_TRY(optional_object(metadata, "metadata"));
    EDGEAI_TRY(optional_string(metadata["user_id"], "metadata.user_id"));

    out.model.assign(root["model"].as_string());
    out.stream = root["stream"].as_bool();

    JsonWriter w;
    w.begin_object().field("model", root["model"].as_string());
    w.key("messages").begin_array();
    EDGEAI_TRY(write_system(w, root["system"]));
    JsonValue messages = root["messages"];
    for (size_t i = 0; i < messages.size(); ++i) {
        const std::string field = indexed("messages", i);
        JsonValue m = messages.at(i);
        EDGEAI_TRY(require_object(m, field));
        EDGEAI_TRY(require_string(m["role"], field + ".role"));
        EDGEAI_TRY(optional_enum(m["role"], field + ".role", {"user", "assistant"}));
        JsonValue content = m["content"];
        const std::string content_field = field + ".content";
        if (content.is_missing()) return field_error(content_field, "is required");
        if (!content.is_string() && !content.is_array()) {
            return field_error(content_field, "expected a string or an array of content blocks, " +
                                                  found(content));
        }
        if (m["role"].as_string() == "user") {
            if (content.is_array() && content.size() == 0) {
                return field_error(content_field, "must not be empty");
            }
            EDGEAI_TRY(write_user_turn(w, content, content_field));
        } else {
            EDGEAI_TRY(write_assistant_turn(w, content, content_field));
        }
    }
    w.end_array();
    w.field("max_tokens", absent(root["max_tokens"]) ? int64_t{1} : root["max_tokens"].as_int64());
    if (root["temperature"].is_number()) w.field("temperature", root["temperature"].as_double());
    if (root["top_p"].is_number()) w.field("top_p", root["top_p"].as_double());
    if (root["top_k"].is_number()) w.field("top_k", root["top_k"].as_int64());
    if (stops.size() > 0) {
        w.key("stop").begin_array();
        for (size_t i = 0; i < stops.size(); ++i)
            w.value(stops.at(i).as_string());
        w.end_array();
    }
    if (out.stream) {
        // Messages streams end with usage; chat streams carry it only on request.
        w.field("stream", true).key("stream_options").begin_object();
        w.field("include_usage", true).end_object();
    }
    EDGEAI_TRY(write_chat_tools(w, root["tools"]));
    EDGEAI_TRY(write_chat_tool_choice(w, root["tool_choice"]));
    if (metadata["user_id"].is_string()) w.field("user", metadata["user_id"].as_string());
    w.end_object();
    out.body = w.take();
    return out;
}

} // namespace

core::Result<TranslatedChatRequest> messages_to_chat(std::string_view messages_body) {
    return translate(messages_body, false);
}

core::Result<TranslatedChatRequest> count_tokens_to_chat(std::string_view count_tokens_body) {
    return translate(count_tokens_body, true);
}

} // namespace edgeai::api::anthropic
