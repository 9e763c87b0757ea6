// Outbound: a chat completion request becomes a Messages request, for a
// `kind = "anthropic"` backend.
#include "api/anthropic/anthropic_requests.h"

#include "api/anthropic/anthropic_common.h"
#include "api/anthropic/anthropic_request_fields.h"
#include "api/field_check.h"
#include "api/openai_requests.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace edgeai::api::anthropic {

namespace {

using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;
using detail::absent;
using detail::found;
using detail::quoted;
using detail::require_block;

std::string text_block(std::string_view text) {
    JsonWriter w;
    w.begin_object().field("type", "text").field("text", text).end_object();
    return w.take();
}

// One Messages turn under construction; turns of one role merge.
struct Turn {
    std::string role;
    std::vector<std::string> blocks; // serialised content blocks
    // A turn made of one string content travels as that string.
    bool plain = false;
    std::string plain_text;
};

void add_turn(std::vector<Turn>& turns, Turn turn) {
    if (turn.blocks.empty()) return; // Messages refuses empty turns
    if (!turns.empty() && turns.back().role == turn.role) {
        Turn& last = turns.back();
        last.plain = false;
        for (auto& b : turn.blocks)
            last.blocks.push_back(std::move(b));
        return;
    }
    turns.push_back(std::move(turn));
}

// The text of a string content or of an array of text parts (system,
// developer and tool messages), each piece on its own.
core::Status text_pieces(JsonValue content, const std::string& field,
                         std::vector<std::string>* pieces) {
    if (absent(content)) return field_error(field, "is required");
    if (content.is_string()) {
        pieces->emplace_back(content.as_string());
        return {};
    }
    if (!content.is_array()) {
        return field_error(field, "expected a string or an array of text parts, " + found(content));
    }
    for (size_t j = 0; j < content.size(); ++j) {
        const std::string part_field = indexed(field, j);
        JsonValue part = content.at(j);
        EDGEAI_TRY(require_block(part, part_field));
        if (part["type"].as_string() != "text") {
            return field_error(part_field + ".type",
                               "expected 'text' (this role takes text only); found " +
                                   quoted(part["type"].as_string()));
        }
        EDGEAI_TRY(require_string(part["text"], part_field + ".text", true));
        pieces->emplace_back(part["text"].as_string());
    }
    return {};
}

std::string join(const std::vector<std::string>& pieces, std::string_view separator) {
    std::string out;
    for (const auto& p : pieces) {
        if (p.empty()) continue;
        if (!out.empty()) out += separator;
        out += p;
    }
    return out;
}

core::Result<std::string> image_block(JsonValue part, const std::string& field) {
    JsonValue image = part["image_url"];
    std::string url_field = field + ".image_url";
    JsonValue url = image;
    if (image.is_object()) {
        url = image["url"];
        url_field += ".url";
    }
    EDGEAI_TRY(require_string(url, url_field));
    std::string_view u = url.as_string();
    JsonWriter w;
    w.begin_object().field("type", "image").key("source").begin_object();
    std::string_view media_type;
    std::string_view data;
    if (detail::split_base64_data_url(u, &media_type, &data)) {
        w.field("type", "base64").field("media_type", media_type).field("data", data);
    } else if (u.substr(0, 7) == "http://" || u.substr(0, 8) == "https://") {
        w.field("type", "url").field("url", u);
    } else {
        return field_error(url_field, "expected an http(s) URL or a data:<media type>;base64,... "
                                      "URL; the anthropic backend takes no other image sources");
    }
    w.end_object().end_object();
    return w.take();
}

core::Status user_turn(JsonValue content, const std::string& field, Turn* turn) {
    if (absent(content)) return field_error(field, "is required");
    if (content.is_string()) {
        if (!content.as_string().empty()) {
            turn->blocks.push_back(text_block(content.as_string()));
            turn->plain = true;
            turn->plain_text.assign(content.as_string());
        }
        return {};
    }
    if (!content.is_array()) {
        return field_error(field,
                           "expected a string or an array of content parts, " + found(content));
    }
    for (size_t j = 0; j < content.size(); ++j) {
        const std::string part_field = indexed(field, j);
        JsonValue part = content.at(j);
        EDGEAI_TRY(require_block(part, part_field));
        std::string_view type = part["type"].as_string();
        if (type == "text") {
            EDGEAI_TRY(require_string(part["text"], part_field + ".text", true));
            // Messages refuses empty text blocks.
            if (!part["text"].as_string().empty()) {
                turn->blocks.push_back(text_block(part["text"].as_string()));
            }
        } else if (type == "image_url") {
            EDGEAI_ASSIGN_OR_RETURN(std::string block, image_block(part, part_field));
            turn->blocks.push_back(std::move(block));
        } else {
            return field_error(part_field + ".type",
                               "the anthropic backend takes text and image_url parts; found " +
                                   quoted(type));
        }
    }
    return {};
}

core::Status assistant_turn(JsonValue m, const std::string& field, Turn* turn) {
    JsonValue content = m["content"];
    const std::string content_field = field + ".content";
    if (content.is_string()) {
        if (!content.as_string().empty()) {
            turn->blocks.push_back(text_block(content.as_string()));
            turn->plain = true;
            turn->plain_text.assign(content.as_string());
        }
    } else if (content.is_array()) {
        for (size_t j = 0; j < content.size(); ++j) {
            const std::string part_field = indexed(content_field, j);
            JsonValue part = content.at(j);
            EDGEAI_TRY(require_block(part, part_field));
            std::string_view type = part["type"].as_string();
            std::string_view key = type == "refusal" ? "refusal" : "text";
            if (type != "text" && type != "refusal") {
                return field_error(part_field + ".type",
                                   "expected 'text' or 'refusal' in an assistant message; found " +
                                       quoted(type));
            }
            EDGEAI_TRY(require_string(part[key], part_field + "." + std::string(key), true));
            if (!part[key].as_string().empty()) {
                turn->blocks.push_back(text_block(part[key].as_string()));
            }
        }
    } else if (!absent(content)) {
        return field_error(content_field, "expected a string, an array of content parts or null, " +
                                              found(content));
    }

    JsonValue calls = m["tool_calls"];
    if (absent(calls)) return {};
    EDGEAI_TRY(require_array(calls, field + ".tool_calls", true));
    if (calls.size() > 0) turn->plain = false;
    for (size_t j = 0; j < calls.size(); ++j) {
        const std::string call_field = indexed(field + ".tool_calls", j);
        JsonValue call = calls.at(j);
        EDGEAI_TRY(require_object(call, call_field));
        EDGEAI_TRY(require_string(call["id"], call_field + ".id"));
        EDGEAI_TRY(optional_enum(call["type"], call_field + ".type", {"function"}));
        JsonValue function = call["function"];
        EDGEAI_TRY(require_object(function, call_field + ".function"));
        EDGEAI_TRY(require_string(function["name"], call_field + ".function.name"));
        const std::string args_field = call_field + ".function.arguments";
        JsonValue arguments = function["arguments"];
        EDGEAI_TRY(optional_string(arguments, args_field));
        JsonWriter w;
        w.begin_object().field("type", "tool_use").field("id", call["id"].as_string());
        w.field("name", function["name"].as_string()).key("input");
        std::string_view text = arguments.as_string();
        if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
            // A call without parameters: some clients echo back "" for it.
            w.begin_object().end_object();
        } else {
            auto parsed = JsonDocument::parse(text);
            if (!parsed.ok() || !parsed->root().is_object()) {
                std::string what = parsed.ok() ? found(parsed->root()) : parsed.status().message();
                return field_error(args_field,
                                   "expected a JSON object in a string (the anthropic backend "
                                   "takes tool input as an object); " +
                                       what);
            }
            codec::write_json_value(w, parsed->root());
        }
        w.end_object();
        turn->blocks.push_back(w.take());
    }
    return {};
}

core::Status tool_turn(JsonValue m, const std::string& field, Turn* turn) {
    EDGEAI_TRY(require_string(m["tool_call_id"], field + ".tool_call_id"));
    std::vector<std::string> pieces;
    EDGEAI_TRY(text_pieces(m["content"], field + ".content", &pieces));
    JsonWriter w;
    w.begin_object().field("type", "tool_result");
    w.field("tool_use_id", m["tool_call_id"].as_string());
    std::string text = join(pieces, "\n");
    if (!text.empty()) w.field("content", std::string_view(text));
    w.end_object();
    turn->blocks.push_back(w.take());
    return {};
}

core::Status cannot(std::string field, std::string what) {
    return field_error(std::move(field), "the anthropic backend cannot " + what);
}

// Chat options that Messages has no way to honour; refusing them beats an
// answer that silently ignores what the client asked for.
core::Status check_inexpressible(JsonValue root) {
    EDGEAI_TRY(optional_integer(root["n"], "n", 1, kMaxChoices));
    if (root["n"].as_int64() > 1) {
        return cannot("n", "return more than one choice per request; send n = 1 (or leave it "
                           "out) and make one request per choice");
    }
    JsonValue format = root["response_format"];
    EDGEAI_TRY(optional_object(format, "response_format"));
    if (format.is_object()) {
        EDGEAI_TRY(require_string(format["type"], "response_format.type"));
        if (format["type"].as_string() != "text") {
            return cannot("response_format",
                          "enforce response_format " + quoted(format["type"].as_string()) +
                              "; leave response_format out or set it to {\"type\":\"text\"}, "
                              "and ask for JSON in the prompt or through a tool");
        }
    }
    EDGEAI_TRY(optional_bool(root["logprobs"], "logprobs"));
    if (root["logprobs"].as_bool()) {
        return cannot("logprobs",
                      "return log probabilities; leave logprobs out or set it to false");
    }
    EDGEAI_TRY(optional_integer(root["top_logprobs"], "top_logprobs", 0, 20));
    if (root["top_logprobs"].as_int64() > 0) {
        return cannot("top_logprobs", "return log probabilities; leave top_logprobs out");
    }
    for (std::string_view penalty : {"presence_penalty", "frequency_penalty"}) {
        EDGEAI_TRY(optional_number(root[penalty], penalty, -2, 2));
        if (root[penalty].as_double() != 0) {
            return cannot(std::string(penalty),
                          "apply " + std::string(penalty) + "; leave it out or set it to 0");
        }
    }
    EDGEAI_TRY(optional_object(root["logit_bias"], "logit_bias"));
    if (root["logit_bias"].size() > 0) {
        return cannot("logit_bias", "bias tokens; leave logit_bias out");
    }
    for (std::string_view legacy : {"functions", "function_call"}) {
        if (!absent(root[legacy])) {
            return cannot(std::string(legacy), "take the legacy " + std::string(legacy) +
                                                   " field; use tools and "
                                                   "tool_choice");
        }
    }
    return {};
}

core::Status write_messages_tools(JsonWriter& w, JsonValue root) {
    JsonValue tools = root["tools"];
    if (!absent(tools)) EDGEAI_TRY(require_array(tools, "tools", true));
    JsonValue choice = root["tool_choice"];
    EDGEAI_TRY(optional_bool(root["parallel_tool_calls"], "parallel_tool_calls"));
    bool one_at_a_time =
        root["parallel_tool_calls"].is_bool() && !root["parallel_tool_calls"].as_bool();

    std::string_view type = "auto";
    std::string_view name;
    if (choice.is_string()) {
        EDGEAI_TRY(optional_enum(choice, "tool_choice", {"auto", "none", "required"}));
        type = choice.as_string() == "required" ? "any" : choice.as_string();
    } else if (choice.is_object()) {
        EDGEAI_TRY(optional_enum(choice["type"], "tool_choice.type", {"function"}));
        EDGEAI_TRY(require_object(choice["function"], "tool_choice.function"));
        EDGEAI_TRY(require_string(choice["function"]["name"], "tool_choice.function.name"));
        type = "tool";
        name = choice["function"]["name"].as_string();
    } else if (!absent(choice)) {
        return field_error("tool_choice", "expected 'auto', 'none', 'required' or an object "
                                          "naming a function, " +
                                              found(choice));
    }

    if (tools.size() == 0) return {}; // Messages refuses tool_choice without tools
    w.key("tools").begin_array();
    for (size_t i = 0; i < tools.size(); ++i) {
        const std::string field = indexed("tools", i);
        JsonValue tool = tools.at(i);
        EDGEAI_TRY(require_object(tool, field));
        EDGEAI_TRY(require_string(tool["type"], field + ".type"));
        EDGEAI_TRY(optional_enum(tool["type"], field + ".type", {"function"}));
        JsonValue function = tool["function"];
        EDGEAI_TRY(require_object(function, field + ".function"));
        EDGEAI_TRY(require_string(function["name"], field + ".function.name"));
        EDGEAI_TRY(optional_string(function["description"], field + ".function.description"));
        EDGEAI_TRY(optional_object(function["parameters"], field + ".function.parameters"));
        w.begin_object().field("name", function["name"].as_string());
        if (function["description"].is_string()) {
            w.field("description", function["description"].as_string());
        }
        w.key("input_schema");
        if (function["parameters"].is_object()) {
            codec::write_json_value(w, function["parameters"]);
        } else {
            // OpenAI allows a function without parameters; Messages needs a schema.
            w.begin_object().field("type", "object").key("properties").begin_object();
            w.end_object().end_object();
        }
        w.end_object();
    }
    w.end_array();
    if (!absent(choice) || one_at_a_time) {
        w.key("tool_choice").begin_object().field("type", type);
        if (type == "tool") w.field("name", name);
        // Messages' "none" takes no other member.
        if (one_at_a_time && type != "none") w.field("disable_parallel_tool_use", true);
        w.end_object();
    }
    return {};
}

} // namespace

core::Result<TranslatedMessagesRequest> chat_to_messages(std::string_view chat_body,
                                                         const OutboundOptions& options) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, parse_request_body(chat_body));
    JsonValue root = doc.root();
    TranslatedMessagesRequest out;

    EDGEAI_TRY(require_model(root["model"]));
    EDGEAI_TRY(require_array(root["messages"], "messages"));
    EDGEAI_TRY(check_inexpressible(root));
    EDGEAI_TRY(optional_number(root["temperature"], "temperature", 0, 2));
    EDGEAI_TRY(optional_number(root["top_p"], "top_p", 0, 1));
    EDGEAI_TRY(optional_integer(root["top_k"], "top_k", 0, INT32_MAX));
    EDGEAI_TRY(optional_integer(root["max_tokens"], "max_tokens", 1, INT32_MAX));
    EDGEAI_TRY(
        optional_integer(root["max_completion_tokens"], "max_completion_tokens", 1, INT32_MAX));
    EDGEAI_TRY(optional_string_or_strings(root["stop"], "stop", kMaxStopSequences));
    EDGEAI_TRY(optional_string(root["user"], "user"));
    EDGEAI_TRY(optional_bool(root["stream"], "stream"));
    EDGEAI_TRY(optional_object(root["stream_options"], "stream_options"));
    EDGEAI_TRY(
        optional_bool(root["stream_options"]["include_usage"], "stream_options.include_usage"));
    out.stream = root["stream"].as_bool();
    out.include_usage = out.stream && root["stream_options"]["include_usage"].as_bool();

    std::vector<std::string> system;
    std::vector<Turn> turns;
    JsonValue messages = root["messages"];
    for (size_t i = 0; i < messages.size(); ++i) {
        const std::string field = indexed("messages", i);
        JsonValue m = messages.at(i);
        EDGEAI_TRY(require_object(m, field));
        EDGEAI_TRY(require_string(m["role"], field + ".role"));
        EDGEAI_TRY(optional_enum(m["role"], field + ".role",
                                 {"system", "developer", "user", "assistant", "tool"}));
        std::string_view role = m["role"].as_string();
        Turn turn;
        if (role == "system" || role == "developer") {
            // Messages has one system prompt, outside the turns.
            EDGEAI_TRY(text_pieces(m["content"], field + ".content", &system));
            continue;
        }
        if (role == "user") {
            turn.role = "user";
            EDGEAI_TRY(user_turn(m["content"], field + ".content", &turn));
        } else if (role == "assistant") {
            turn.role = "assistant";
            EDGEAI_TRY(assistant_turn(m, field, &turn));
        } else {
            // A tool's answer is a tool_result block in a user turn.
            turn.role = "user";
            EDGEAI_TRY(tool_turn(m, field, &turn));
        }
        add_turn(turns, std::move(turn));
    }
    if (turns.empty()) {
        return field_error("messages", "needs at least one user or assistant message with "
                                       "content besides system messages");
    }

    int64_t max_tokens = options.default_max_tokens;
    if (root["max_completion_tokens"].is_number()) {
        max_tokens = root["max_completion_tokens"].as_int64();
    } else if (root["max_tokens"].is_number()) {
        max_tokens = root["max_tokens"].as_int64();
    }

    JsonWriter w;
    w.begin_object().field("model", root["model"].as_string());
    w.field("max_tokens", max_tokens);
    std::string system_text = join(system, "\n\n");
    if (!system_text.empty()) w.field("system", std::string_view(system_text));
    w.key("messages").begin_array();
    for (const Turn& turn : turns) {
        w.begin_object().field("role", std::string_view(turn.role)).key("content");
        if (turn.plain) {
            w.value(std::string_view(turn.plain_text));
        } else {
            w.begin_array();
            for (const auto& block : turn.blocks)
                w.raw(block);
            w.end_array();
        }
        w.end_object();
    }
    w.end_array();
    JsonValue stop = root["stop"];
    if (stop.is_string() || stop.size() > 0) {
        w.key("stop_sequences").begin_array();
        if (stop.is_string()) w.value(stop.as_string());
        for (size_t i = 0; i < stop.size(); ++i)
            w.value(stop.at(i).as_string());
        w.end_array();
    }
    if (root["temperature"].is_number()) {
        // Messages' range is 0..1; OpenAI's hotter settings get the hottest it has.
        w.field("temperature", std::min(root["temperature"].as_double(), 1.0));
    }
    if (root["top_p"].is_number()) w.field("top_p", root["top_p"].as_double());
    if (root["top_k"].is_number()) w.field("top_k", root["top_k"].as_int64());
    if (out.stream) w.field("stream", true);
    EDGEAI_TRY(write_messages_tools(w, root));
    if (root["user"].is_string()) {
        w.key("metadata").begin_object().field("user_id", root["user"].as_string()).end_object();
    }
    w.end_object();
    out.body = w.take();
    return out;
}

} // namespace edgeai::api::anthropic
