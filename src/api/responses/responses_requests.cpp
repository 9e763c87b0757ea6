#include "api/responses/responses_requests.h"

#include "api/field_check.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <utility>

namespace edgeai::api::responses {

namespace {

using codec::JsonDocument;
using codec::JsonWriter;

// OpenAI's own bounds on metadata.
constexpr size_t kMaxMetadataKeys = 16;
constexpr size_t kMaxMetadataKeyBytes = 64;
constexpr size_t kMaxMetadataValueBytes = 512;

bool absent(JsonValue v) {
    return v.is_missing() || v.is_null();
}

std::string found(JsonValue v) {
    return "found " + std::string(codec::json_type_phrase(v.type()));
}

std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

core::Status unexpected_type(JsonValue type, const std::string& field, std::string_view expected,
                             std::string_view why = {}) {
    std::string message = "expected one of " + std::string(expected) + "; found " +
                          (type.is_string() ? quoted(type.as_string()) : found(type));
    if (!why.empty()) message += ". " + std::string(why);
    return field_error(field, std::move(message));
}

// One content part of a message item, written in its normalised form.
core::Status write_part(JsonWriter& w, JsonValue part, const std::string& field, bool assistant) {
    EDGEAI_TRY(require_object(part, field));
    EDGEAI_TRY(require_string(part["type"], field + ".type"));
    std::string_view type = part["type"].as_string();
    if (type == "input_text" || type == "output_text" || type == "refusal") {
        std::string_view key = type == "refusal" ? "refusal" : "text";
        EDGEAI_TRY(require_string(part[key], field + "." + std::string(key), true));
        w.begin_object().field("type", type).field(key, part[key].as_string());
        if (type == "output_text") w.key("annotations").begin_array().end_array();
        w.end_object();
        return {};
    }
    if (type == "input_image" && !assistant) {
        if (!absent(part["file_id"])) {
            return field_error(field + ".file_id",
                               "files are not stored by this gateway; send the image as "
                               "image_url (an https or data: URL)");
        }
        EDGEAI_TRY(require_string(part["image_url"], field + ".image_url"));
        EDGEAI_TRY(optional_enum(part["detail"], field + ".detail", {"low", "high", "auto"}));
        w.begin_object().field("type", "input_image");
        w.field("image_url", part["image_url"].as_string());
        w.field("detail", part["detail"].is_string() ? part["detail"].as_string() : "auto");
        w.end_object();
        return {};
    }
    if (assistant) return unexpected_type(part["type"], field + ".type", "output_text, refusal");
    return unexpected_type(part["type"], field + ".type", "input_text, input_image",
                           type == "input_file" || type == "input_audio"
                               ? "Files and audio have no counterpart in the chat completions "
                                 "every backend here serves; send their text as input_text"
                               : std::string_view());
}

core::Status write_message_item(JsonWriter& w, JsonValue item, const std::string& field,
                                std::string_view id) {
    EDGEAI_TRY(require_string(item["role"], field + ".role"));
    EDGEAI_TRY(
        optional_enum(item["role"], field + ".role", {"user", "assistant", "system", "developer"}));
    const std::string_view role = item["role"].as_string();
    const bool assistant = role == "assistant";
    JsonValue content = item["content"];
    const std::string content_field = field + ".content";
    w.begin_object().field("type", "message").field("role", role);
    w.field("id", item["id"].is_string() ? item["id"].as_string() : std::string_view(id));
    if (assistant) w.field("status", "completed");
    w.key("content").begin_array();
    if (content.is_string()) {
        w.begin_object().field("type", assistant ? "output_text" : "input_text");
        w.field("text", content.as_string());
        if (assistant) w.key("annotations").begin_array().end_array();
        w.end_object();
    } else if (content.is_array()) {
        for (size_t k = 0; k < content.size(); ++k)
            EDGEAI_TRY(write_part(w, content.at(k), indexed(content_field, k), assistant));
    } else if (content.is_missing()) {
        return field_error(content_field, "is required");
    } else {
        return field_error(content_field,
                           "expected a string or an array of content parts, " + found(content));
    }
    w.end_array().end_object();
    return {};
}

// The text of a function_call_output's output: a string, or text parts.
core::Status output_text(JsonValue output, const std::string& field, std::string* text) {
    if (output.is_string()) {
        text->assign(output.as_string());
        return {};
    }
    if (!output.is_array()) {
        return field_error(field,
                           "expected a string or an array of input_text parts, " + found(output));
    }
    for (size_t k = 0; k < output.size(); ++k) {
        const std::string part_field = indexed(field, k);
        JsonValue part = output.at(k);
        EDGEAI_TRY(require_object(part, part_field));
        EDGEAI_TRY(optional_enum(part["type"], part_field + ".type", {"input_text"}));
        EDGEAI_TRY(require_string(part["text"], part_field + ".text", true));
        text->append(part["text"].as_string());
    }
    return {};
}

// One input item, normalised; `id` is used when the item has none.
core::Status write_item(JsonWriter& w, JsonValue item, const std::string& field,
                        const std::string& id) {
    EDGEAI_TRY(require_object(item, field));
    JsonValue type = item["type"];
    // An item with a role and no type is a message ("easy input message").
    if ((absent(type) && !item["role"].is_missing()) ||
        (type.is_string() && type.as_string() == "message"))
        return write_message_item(w, item, field, id);
    EDGEAI_TRY(require_string(type, field + ".type"));
    std::string_view kind = type.as_string();
    if (kind == "function_call") {
        EDGEAI_TRY(require_string(item["call_id"], field + ".call_id"));
        EDGEAI_TRY(require_string(item["name"], field + ".name"));
        EDGEAI_TRY(require_string(item["arguments"], field + ".arguments", true));
        w.begin_object().field("type", "function_call");
        w.field("id", item["id"].is_string() ? item["id"].as_string() : std::string_view(id));
        w.field("call_id", item["call_id"].as_string()).field("name", item["name"].as_string());
        w.field("arguments", item["arguments"].as_string()).field("status", "completed");
        w.end_object();
        return {};
    }
    if (kind == "function_call_output") {
        EDGEAI_TRY(require_string(item["call_id"], field + ".call_id"));
        if (item["output"].is_missing()) return field_error(field + ".output", "is required");
        std::string text;
        EDGEAI_TRY(output_text(item["output"], field + ".output", &text));
        w.begin_object().field("type", "function_call_output");
        w.field("id", item["id"].is_string() ? item["id"].as_string() : std::string_view(id));
        w.field("call_id", item["call_id"].as_string());
        w.field("output", std::string_view(text)).end_object();
        return {};
    }
    if (kind == "reasoning") {
        // Earlier reasoning belongs to the model that made it; the answer
        // stands without it, so it is kept in the history but not sent.
        w.begin_object().field("type", "reasoning").field("id", std::string_view(id));
        w.key("summary").begin_array().end_array();
        w.end_object();
        return {};
    }
    return unexpected_type(type, field + ".type", "message, function_call, function_call_output",
                           kind == "item_reference"
                               ? "Item references are not supported; use previous_response_id "
                                 "or send the items themselves"
                               : std::string_view());
}

// This request's input as a JSON array of normalised items.
core::Status normalise_input(JsonValue input, std::string_view id_prefix, std::string* out) {
    JsonWriter w(out);
    w.begin_array();
    if (input.is_string()) {
        w.begin_object().field("type", "message").field("role", "user");
        w.field("id", std::string_view(std::string(id_prefix) + "0"));
        w.key("content").begin_array().begin_object().field("type", "input_text");
        w.field("text", input.as_string()).end_object().end_array().end_object();
    } else if (input.is_array()) {
        for (size_t i = 0; i < input.size(); ++i) {
            EDGEAI_TRY(write_item(w, input.at(i), indexed("input", i),
                                  std::string(id_prefix) + std::to_string(i)));
        }
    } else if (input.is_missing()) {
        return field_error("input", "is required");
    } else {
        return field_error("input",
                           "expected a string or an array of input items, " + found(input));
    }
    w.end_array();
    return {};
}

// Two JSON arrays joined into one.
std::string join_arrays(std::string_view a, std::string_view b) {
    if (a.size() <= 2) return std::string(b);
    if (b.size() <= 2) return std::string(a);
    std::string out(a.substr(0, a.size() - 1));
    out += ',';
    out.append(b.substr(1));
    return out;
}

// A message item's content for a chat message: one string when it is all
// text, else an array of chat content parts.
void write_chat_content(JsonWriter& w, JsonValue content) {
    bool only_text = true;
    for (size_t k = 0; k < content.size(); ++k)
        only_text &= content.at(k)["type"].as_string() != "input_image";
    if (only_text) {
        std::string text;
        for (size_t k = 0; k < content.size(); ++k) {
            JsonValue part = content.at(k);
            text.append(part["type"].as_string() == "refusal" ? part["refusal"].as_string()
                                                              : part["text"].as_string());
        }
        w.value(std::string_view(text));
        return;
    }
    w.begin_array();
    for (size_t k = 0; k < content.size(); ++k) {
        JsonValue part = content.at(k);
        if (part["type"].as_string() == "input_image") {
            w.begin_object().field("type", "image_url").key("image_url").begin_object();
            w.field("url", part["image_url"].as_string());
            w.field("detail", part["detail"].as_string()).end_object().end_object();
        } else {
            w.begin_object().field("type", "text").field("text", part["text"].as_string());
            w.end_object();
        }
    }
    w.end_array();
}

// An assistant turn gathered from a message and the function calls after it.
struct AssistantTurn {
    bool open = false;
    std::string text;
    std::string calls;
    JsonWriter cw{&calls};
    size_t call_count = 0;

    void flush(JsonWriter& w) {
        if (!open) return;
        w.begin_object().field("role", "assistant").key("content");
        if (text.empty() && call_count > 0) {
            w.null();
        } else {
            w.value(std::string_view(text));
        }
        if (call_count > 0) w.key("tool_calls").raw(cw.end_array().str());
        w.end_object();
        open = false;
        text.clear();
        calls.clear();
        call_count = 0;
    }
    void begin() {
        if (open) return;
        open = true;
        cw.begin_array();
    }
};

// The normalised context items -> chat messages (after any system message).
void write_chat_messages(JsonWriter& w, JsonValue items) {
    AssistantTurn turn;
    for (size_t i = 0; i < items.size(); ++i) {
        JsonValue item = items.at(i);
        std::string_view type = item["type"].as_string();
        if (type == "message" && item["role"].as_string() == "assistant") {
            turn.flush(w);
            turn.begin();
            JsonValue content = item["content"];
            for (size_t k = 0; k < content.size(); ++k) {
                JsonValue part = content.at(k);
                turn.text.append(part["type"].as_string() == "refusal" ? part["refusal"].as_string()
                                                                       : part["text"].as_string());
            }
        } else if (type == "message") {
            turn.flush(w);
            w.begin_object().field("role", item["role"].as_string()).key("content");
            write_chat_content(w, item["content"]);
            w.end_object();
        } else if (type == "function_call") {
            turn.begin();
            turn.cw.begin_object().field("id", item["call_id"].as_string());
            turn.cw.field("type", "function").key("function").begin_object();
            turn.cw.field("name", item["name"].as_string());
            turn.cw.field("arguments", item["arguments"].as_string()).end_object().end_object();
            ++turn.call_count;
        } else if (type == "function_call_output") {
            turn.flush(w);
            w.begin_object().field("role", "tool");
            w.field("tool_call_id", item["call_id"].as_string());
            w.field("content", item["output"].as_string()).end_object();
        }
    }
    turn.flush(w);
}

core::Status check_metadata(JsonValue metadata) {
    EDGEAI_TRY(optional_object(metadata, "metadata"));
    if (!metadata.is_object()) return {};
    if (metadata.size() > kMaxMetadataKeys) {
        return field_error("metadata", "at most " + std::to_string(kMaxMetadataKeys) +
                                           " keys are allowed, found " +
                                           std::to_string(metadata.size()));
    }
    for (size_t i = 0; i < metadata.size(); ++i) {
        std::string_view name = metadata.member_name(i);
        const std::string field = "metadata." + std::string(name);
        if (name.size() > kMaxMetadataKeyBytes)
            return field_error(field, "keys are at most 64 characters long");
        EDGEAI_TRY(require_string(metadata.member_value(i), field, true));
        if (metadata.member_value(i).as_string().size() > kMaxMetadataValueBytes)
            return field_error(field, "values are at most 512 characters long");
    }
    return {};
}

// Function tools -> chat tools; hosted tools are refused by name.
core::Status write_tools(JsonWriter& w, JsonValue tools) {
    if (absent(tools)) return {};
    EDGEAI_TRY(require_array(tools, "tools", true));
    if (tools.size() == 0) return {};
    w.key("tools").begin_array();
    for (size_t i = 0; i < tools.size(); ++i) {
        const std::string field = indexed("tools", i);
        JsonValue tool = tools.at(i);
        EDGEAI_TRY(require_object(tool, field));
        EDGEAI_TRY(require_string(tool["type"], field + ".type"));
        if (tool["type"].as_string() != "function") {
            return unexpected_type(tool["type"], field + ".type", "function",
                                   "Hosted tools (web search, file search, computer use, code "
                                   "interpreter, MCP, image generation) run on OpenAI's side and "
                                   "are not available through this gateway; declare a function "
                                   "tool and run it yourself");
        }
        EDGEAI_TRY(require_string(tool["name"], field + ".name"));
        EDGEAI_TRY(optional_string(tool["description"], field + ".description"));
        EDGEAI_TRY(optional_object(tool["parameters"], field + ".parameters"));
        EDGEAI_TRY(optional_bool(tool["strict"], field + ".strict"));
        w.begin_object().field("type", "function").key("function").begin_object();
        w.field("name", tool["name"].as_string());
        if (tool["description"].is_string())
            w.field("description", tool["description"].as_string());
        if (tool["parameters"].is_object()) {
            w.key("parameters");
            codec::write_json_value(w, tool["parameters"]);
        }
        if (tool["strict"].is_bool()) w.field("strict", tool["strict"].as_bool());
        w.end_object().end_object();
    }
    w.end_array();
    return {};
}

core::Status write_tool_choice(JsonWriter& w, JsonValue choice) {
    if (absent(choice)) return {};
    if (choice.is_string()) {
        EDGEAI_TRY(optional_enum(choice, "tool_choice", {"none", "auto", "required"}));
        w.field("tool_choice", choice.as_string());
        return {};
    }
    if (!choice.is_object()) {
        return field_error("tool_choice",
                           "expected 'none', 'auto', 'required' or an object, " + found(choice));
    }
    EDGEAI_TRY(require_string(choice["type"], "tool_choice.type"));
    if (choice["type"].as_string() != "function") {
        return unexpected_type(choice["type"], "tool_choice.type", "function",
                               "Hosted tools are not available through this gateway");
    }
    EDGEAI_TRY(require_string(choice["name"], "tool_choice.name"));
    w.key("tool_choice").begin_object().field("type", "function").key("function");
    w.begin_object().field("name", choice["name"].as_string()).end_object().end_object();
    return {};
}

// text.format -> response_format (text is the default and sends nothing).
core::Status write_text_format(JsonWriter& w, JsonValue text) {
    EDGEAI_TRY(optional_object(text, "text"));
    if (!text.is_object()) return {};
    EDGEAI_TRY(optional_enum(text["verbosity"], "text.verbosity", {"low", "medium", "high"}));
    JsonValue format = text["format"];
    if (absent(format)) return {};
    EDGEAI_TRY(require_object(format, "text.format"));
    EDGEAI_TRY(require_string(format["type"], "text.format.type"));
    EDGEAI_TRY(
        optional_enum(format["type"], "text.format.type", {"text", "json_object", "json_schema"}));
    std::string_view type = format["type"].as_string();
    if (type == "json_object") {
        w.key("response_format").begin_object().field("type", "json_object").end_object();
    } else if (type == "json_schema") {
        EDGEAI_TRY(require_string(format["name"], "text.format.name"));
        EDGEAI_TRY(require_object(format["schema"], "text.format.schema"));
        EDGEAI_TRY(optional_string(format["description"], "text.format.description"));
        EDGEAI_TRY(optional_bool(format["strict"], "text.format.strict"));
        w.key("response_format").begin_object().field("type", "json_schema");
        w.key("json_schema").begin_object().field("name", format["name"].as_string());
        if (format["description"].is_string())
            w.field("description", format["description"].as_string());
        w.key("schema");
        codec::write_json_value(w, format["schema"]);
        if (format["strict"].is_bool()) w.field("strict", format["strict"].as_bool());
        w.end_object().end_object();
    }
    return {};
}

// Fields this gateway cannot honour, refused by name rather than ignored.
core::Status refuse_unsupported(JsonValue root) {
    if (root["background"].as_bool()) {
        return field_error("background", "background responses are not supported; send the "
                                         "request with the header 'Prefer: respond-async' for a "
                                         "durable job instead");
    }
    if (!absent(root["conversation"])) {
        return field_error("conversation", "conversations are not supported; continue a "
                                           "response with previous_response_id");
    }
    if (!absent(root["prompt"])) {
        return field_error("prompt", "prompt templates are stored on OpenAI's side and are not "
                                     "available through this gateway");
    }
    EDGEAI_TRY(optional_integer(root["top_logprobs"], "top_logprobs", 0, 20));
    JsonValue include = root["include"];
    if (!absent(include)) {
        EDGEAI_TRY(require_array(include, "include", true));
        for (size_t i = 0; i < include.size(); ++i)
            EDGEAI_TRY(require_string(include.at(i), indexed("include", i)));
    }
    return {};
}

// include: ["message.output_text.logprobs"] (top_logprobs alone asks too, as
// OpenAI reads it): the chat request asks for logprobs.
bool wants_logprobs(JsonValue root) {
    if (root["top_logprobs"].as_int64() > 0) return true;
    JsonValue include = root["include"];
    for (size_t i = 0; i < include.size(); ++i)
        if (include.at(i).as_string() == "message.output_text.logprobs") return true;
    return false;
}

void echo_value(JsonWriter& w, std::string_view name, JsonValue v, std::string_view fallback) {
    w.key(name);
    if (absent(v)) {
        w.raw(fallback);
    } else {
        codec::write_json_value(w, v);
    }
}

// The request's settings as the Response object reports them.
std::string echo_members(JsonValue root, bool store) {
    std::string out;
    JsonWriter w(&out);
    // Written as an object, then its braces cut: the members go into answers.
    w.begin_object();
    echo_value(w, "instructions", root["instructions"], "null");
    echo_value(w, "max_output_tokens", root["max_output_tokens"], "null");
    echo_value(w, "metadata", root["metadata"], "{}");
    echo_value(w, "parallel_tool_calls", root["parallel_tool_calls"], "true");
    echo_value(w, "previous_response_id", root["previous_response_id"], "null");
    echo_value(w, "reasoning", root["reasoning"], R"({"effort":null,"summary":null})");
    w.field("store", store);
    echo_value(w, "temperature", root["temperature"], "1");
    echo_value(w, "text", root["text"], R"({"format":{"type":"text"}})");
    echo_value(w, "tool_choice", root["tool_choice"], "\"auto\"");
    echo_value(w, "tools", root["tools"], "[]");
    echo_value(w, "top_p", root["top_p"], "1");
    echo_value(w, "truncation", root["truncation"], "\"disabled\"");
    echo_value(w, "user", root["user"], "null");
    w.end_object();
    return out.substr(1, out.size() - 2);
}

} // namespace

core::Result<TranslatedResponsesRequest> responses_to_chat(std::string_view body,
                                                           const HistoryLookup& history,
                                                           std::string_view item_id_prefix) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, parse_request_body(body));
    JsonValue root = doc.root();
    TranslatedResponsesRequest out;

    EDGEAI_TRY(require_model(root["model"]));
    EDGEAI_TRY(optional_string(root["instructions"], "instructions"));
    EDGEAI_TRY(optional_integer(root["max_output_tokens"], "max_output_tokens", 1, INT32_MAX));
    EDGEAI_TRY(optional_number(root["temperature"], "temperature", 0, 2));
    EDGEAI_TRY(optional_number(root["top_p"], "top_p", 0, 1));
    EDGEAI_TRY(optional_bool(root["stream"], "stream"));
    EDGEAI_TRY(optional_bool(root["store"], "store"));
    EDGEAI_TRY(optional_bool(root["parallel_tool_calls"], "parallel_tool_calls"));
    EDGEAI_TRY(optional_bool(root["background"], "background"));
    EDGEAI_TRY(optional_string(root["previous_response_id"], "previous_response_id"));
    EDGEAI_TRY(optional_string(root["user"], "user"));
    EDGEAI_TRY(optional_enum(root["truncation"], "truncation", {"auto", "disabled"}));
    EDGEAI_TRY(optional_enum(root["service_tier"], "service_tier",
                             {"auto", "default", "flex", "scale", "priority"}));
    EDGEAI_TRY(optional_object(root["reasoning"], "reasoning"));
    EDGEAI_TRY(optional_enum(root["reasoning"]["effort"], "reasoning.effort",
                             {"minimal", "low", "medium", "high"}));
    EDGEAI_TRY(check_metadata(root["metadata"]));
    EDGEAI_TRY(refuse_unsupported(root));

    out.model.assign(root["model"].as_string());
    out.stream = root["stream"].as_bool();
    out.store = (!root["store"].is_bool() || root["store"].as_bool()) && history != nullptr;
    out.previous_response_id.assign(root["previous_response_id"].as_string());
    EDGEAI_TRY(normalise_input(root["input"], item_id_prefix, &out.input_items));

    std::string earlier = "[]";
    if (!out.previous_response_id.empty()) {
        if (!history) {
            core::Status s(core::StatusCode::kUnimplemented,
                           "stored responses are not available in this build");
            s.with_field("previous_response_id");
            return s;
        }
        auto found_history = history(out.previous_response_id);
        if (!found_history.ok()) {
            core::Status s = found_history.status();
            if (s.field().empty()) s.with_field("previous_response_id");
            return s;
        }
        earlier = std::move(found_history).value();
    }
    out.context_items = join_arrays(earlier, out.input_items);
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument context, JsonDocument::parse(out.context_items));

    JsonWriter w(&out.chat_body);
    w.begin_object().field("model", root["model"].as_string());
    w.key("messages").begin_array();
    if (root["instructions"].is_string() && !root["instructions"].as_string().empty()) {
        w.begin_object().field("role", "system");
        w.field("content", root["instructions"].as_string()).end_object();
    }
    write_chat_messages(w, context.root());
    w.end_array();
    if (root["max_output_tokens"].is_number())
        w.field("max_tokens", root["max_output_tokens"].as_int64());
    if (root["temperature"].is_number()) {
        w.key("temperature");
        codec::write_json_value(w, root["temperature"]);
    }
    if (root["top_p"].is_number()) {
        w.key("top_p");
        codec::write_json_value(w, root["top_p"]);
    }
    if (wants_logprobs(root)) {
        w.field("logprobs", true);
        if (root["top_logprobs"].is_number())
            w.field("top_logprobs", root["top_logprobs"].as_int64());
    }
    if (out.stream) {
        // The last event of a Responses stream carries usage; chat streams
        // carry it only when asked.
        w.field("stream", true).key("stream_options").begin_object();
        w.field("include_usage", true).end_object();
    }
    EDGEAI_TRY(write_tools(w, root["tools"]));
    EDGEAI_TRY(write_tool_choice(w, root["tool_choice"]));
    if (root["parallel_tool_calls"].is_bool())
        w.field("parallel_tool_calls", root["parallel_tool_calls"].as_bool());
    EDGEAI_TRY(write_text_format(w, root["text"]));
    if (root["reasoning"]["effort"].is_string())
        w.field("reasoning_effort", root["reasoning"]["effort"].as_string());
    if (root["user"].is_string()) w.field("user", root["user"].as_string());
    w.end_object();
    out.echo = echo_members(root, out.store);
    return out;
}

std::string_view responses_param_for(std::string_view chat_param) {
    if (chat_param == "response_format" || chat_param.substr(0, 16) == "response_format.")
        return "text.format";
    if (chat_param == "max_tokens" || chat_param == "max_completion_tokens")
        return "max_output_tokens";
    if (chat_param.substr(0, 8) == "messages") return "input";
    return chat_param;
}

std::string native_responses_body(std::string_view body, std::string_view context_items) {
    auto request = codec::JsonDocument::parse(body);
    auto items = codec::JsonDocument::parse(context_items);
    std::string out;
    if (!request.ok() || !items.ok()) return out;
    codec::JsonWriter w(&out);
    w.begin_object();
    const codec::JsonValue root = request->root();
    for (size_t i = 0; i < root.size(); ++i) {
        const std::string_view name = root.member_name(i);
        if (name == "input" || name == "previous_response_id" || name == "store") continue;
        w.key(name);
        codec::write_json_value(w, root.member_value(i));
    }
    w.key("input").begin_array();
    const codec::JsonValue list = items->root();
    for (size_t i = 0; i < list.size(); ++i) {
        const codec::JsonValue item = list.at(i);
        w.begin_object();
        for (size_t m = 0; m < item.size(); ++m) {
            if (item.member_name(m) == "id") continue;
            w.key(item.member_name(m));
            codec::write_json_value(w, item.member_value(m));
        }
        w.end_object();
    }
    w.end_array();
    w.field("store", false);
    w.end_object();
    return out;
}

} // namespace edgeai::api::responses
