#include "api/openai_requests.h"

#include "api/field_check.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

namespace edgeai::api {

namespace {

using codec::JsonDocument;

core::Status decode_stream(JsonValue root, bool* stream, bool* include_usage) {
    EDGEAI_TRY(optional_bool(root["stream"], "stream"));
    *stream = root["stream"].as_bool();
    JsonValue options = root["stream_options"];
    EDGEAI_TRY(optional_object(options, "stream_options"));
    if (options.is_object()) {
        if (!*stream) {
            return field_error("stream_options", "is only allowed when stream is true");
        }
        EDGEAI_TRY(optional_bool(options["include_usage"], "stream_options.include_usage"));
        *include_usage = options["include_usage"].as_bool();
    }
    return {};
}

core::Status decode_sampling(JsonValue root, SamplingOptions* out) {
    // Each field looked up once: lookups are linear in the object's members.
    const JsonValue temperature = root["temperature"], top_p = root["top_p"],
                    presence = root["presence_penalty"], frequency = root["frequency_penalty"],
                    n = root["n"], seed = root["seed"], max_tokens = root["max_tokens"],
                    max_completion = root["max_completion_tokens"];
    EDGEAI_TRY(optional_number(temperature, "temperature", 0, 2));
    EDGEAI_TRY(optional_number(top_p, "top_p", 0, 1));
    EDGEAI_TRY(optional_number(presence, "presence_penalty", -2, 2));
    EDGEAI_TRY(optional_number(frequency, "frequency_penalty", -2, 2));
    EDGEAI_TRY(optional_integer(n, "n", 1, kMaxChoices));
    EDGEAI_TRY(optional_integer(seed, "seed", INT64_MIN, INT64_MAX));
    EDGEAI_TRY(optional_integer(max_tokens, "max_tokens", 1, INT32_MAX));
    EDGEAI_TRY(optional_integer(max_completion, "max_completion_tokens", 1, INT32_MAX));
    EDGEAI_TRY(optional_string_or_strings(root["stop"], "stop", kMaxStopSequences));
    EDGEAI_TRY(optional_object(root["logit_bias"], "logit_bias"));
    EDGEAI_TRY(optional_string(root["user"], "user"));
    const JsonValue top_k = root["top_k"], min_p = root["min_p"],
                    repeat_penalty = root["repeat_penalty"], repeat_last_n = root["repeat_last_n"];
    EDGEAI_TRY(optional_integer(top_k, "top_k", 0, INT32_MAX));
    EDGEAI_TRY(optional_number(min_p, "min_p", 0, 1));
    EDGEAI_TRY(optional_number(repeat_penalty, "repeat_penalty", 0, 100));
    EDGEAI_TRY(optional_integer(repeat_last_n, "repeat_last_n", -1, 65536));
    if (top_k.is_number()) out->top_k = top_k.as_int64();
    if (min_p.is_number()) out->min_p = min_p.as_double();
    if (repeat_penalty.is_number()) out->repeat_penalty = repeat_penalty.as_double();
    if (repeat_last_n.is_number()) out->repeat_last_n = repeat_last_n.as_int64();

    if (temperature.is_number()) out->temperature = temperature.as_double();
    if (top_p.is_number()) out->top_p = top_p.as_double();
    out->presence_penalty = presence.as_double();
    out->frequency_penalty = frequency.as_double();
    if (n.is_number()) out->n = n.as_int64();
    if (seed.is_number()) out->seed = seed.as_int64();
    if (max_completion.is_number()) {
        out->max_tokens = max_completion.as_int64();
    } else if (max_tokens.is_number()) {
        out->max_tokens = max_tokens.as_int64();
    }
    JsonValue bias = root["logit_bias"];
    for (size_t i = 0; i < bias.size() && bias.is_object(); ++i) {
        const std::string_view name = bias.member_name(i);
        const std::string field = "logit_bias." + std::string(name);
        int64_t id = 0;
        bool digits = !name.empty() && name.size() <= 10;
        for (char c : name) {
            if (c < '0' || c > '9')
                digits = false;
            else
                id = id * 10 + (c - '0');
        }
        if (!digits) return field_error(field, "keys must be token ids");
        EDGEAI_TRY(optional_number(bias.member_value(i), field, -100, 100));
        if (!bias.member_value(i).is_number()) return field_error(field, "must be a number");
        out->logit_bias.emplace_back(id, bias.member_value(i).as_double());
    }
    JsonValue stop = root["stop"];
    if (stop.is_string()) {
        out->stop.emplace_back(stop.as_string());
    } else {
        for (size_t i = 0; i < stop.size(); ++i)
            out->stop.emplace_back(stop.at(i).as_string());
    }
    return {};
}

core::Status decode_content(JsonValue content, const FieldPath& field, bool required,
                            std::string* text) {
    if (content.is_missing() || content.is_null()) {
        if (required) return field_error(field.str(), "is required");
        return {};
    }
    if (content.is_string()) {
        text->assign(content.as_string());
        return {};
    }
    if (!content.is_array()) {
        return field_error(field.str(), "expected a string or an array of content parts, found " +
                                            std::string(codec::json_type_phrase(content.type())));
    }
    const std::string parts = field.str();
    for (size_t i = 0; i < content.size(); ++i) {
        JsonValue part = content.at(i);
        EDGEAI_TRY(require_object(part, FieldPath(parts, i)));
        EDGEAI_TRY(require_string(part["type"], FieldPath(parts, i, ".type")));
        if (part["type"].as_string() == "text") {
            EDGEAI_TRY(require_string(part["text"], FieldPath(parts, i, ".text"), true));
            if (!text->empty()) text->push_back('\n');
            text->append(part["text"].as_string());
        }
    }
    return {};
}

core::Status decode_message(JsonValue m, size_t index, ChatMessage* out) {
    EDGEAI_TRY(require_object(m, FieldPath("messages", index)));
    JsonValue role = m["role"];
    EDGEAI_TRY(require_string(role, FieldPath("messages", index, ".role")));
    EDGEAI_TRY(optional_enum(role, FieldPath("messages", index, ".role"),
                             {"system", "developer", "user", "assistant", "tool", "function"}));
    out->role.assign(role.as_string());
    // An assistant turn may carry only tool calls; every other role must say something.
    bool calls_tools = m["tool_calls"].is_array() || m["function_call"].is_object();
    bool content_required = !(out->role == "assistant" && calls_tools);
    EDGEAI_TRY(decode_content(m["content"], FieldPath("messages", index, ".content"),
                              content_required, &out->text));
    if (out->role == "tool") {
        EDGEAI_TRY(
            require_string(m["tool_call_id"], FieldPath("messages", index, ".tool_call_id")));
    }
    EDGEAI_TRY(optional_string(m["name"], FieldPath("messages", index, ".name")));
    return {};
}

core::Status decode_output_format(JsonValue root, OutputFormat* out) {
    const JsonValue format = root["response_format"];
    EDGEAI_TRY(optional_object(format, "response_format"));
    if (format.is_object()) {
        EDGEAI_TRY(require_string(format["type"], "response_format.type"));
        out->type.assign(format["type"].as_string());
        const JsonValue spec = format["json_schema"];
        EDGEAI_TRY(optional_object(spec, "response_format.json_schema"));
        if (spec.is_object()) {
            EDGEAI_TRY(optional_bool(spec["strict"], "response_format.json_schema.strict"));
            const JsonValue schema = spec["schema"];
            if (schema.is_object() || schema.is_bool()) {
                codec::JsonWriter w;
                codec::write_json_value(w, schema);
                out->schema = w.take();
                out->has_schema = true;
            } else if (!schema.is_missing()) {
                return field_error("response_format.json_schema.schema",
                                   "must be an object (a JSON Schema)");
            }
        }
    }
    const JsonValue grammar = root["grammar"];
    EDGEAI_TRY(optional_string(grammar, "grammar"));
    if (grammar.is_string()) {
        out->grammar.assign(grammar.as_string());
        out->has_grammar = true;
    }
    return {};
}

} // namespace

core::Result<ChatCompletionRequest> decode_chat_completion_request(std::string_view body) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, parse_request_body(body));
    JsonValue root = doc.root();
    ChatCompletionRequest req;
    EDGEAI_TRY(require_model(root["model"]));
    req.model.assign(root["model"].as_string());
    JsonValue messages = root["messages"];
    EDGEAI_TRY(require_array(messages, "messages"));
    req.messages.resize(messages.size());
    for (size_t i = 0; i < messages.size(); ++i) {
        EDGEAI_TRY(decode_message(messages.at(i), i, &req.messages[i]));
    }
    EDGEAI_TRY(decode_stream(root, &req.stream, &req.include_usage));
    EDGEAI_TRY(decode_sampling(root, &req.sampling));
    JsonValue tools = root["tools"];
    if (!tools.is_missing() && !tools.is_null()) {
        EDGEAI_TRY(require_array(tools, "tools", true));
        for (size_t i = 0; i < tools.size(); ++i) {
            EDGEAI_TRY(require_object(tools.at(i), FieldPath("tools", i)));
        }
    }
    EDGEAI_TRY(decode_output_format(root, &req.format));
    // Extra variables for the local engine's chat template (enable_thinking, ...).
    EDGEAI_TRY(optional_object(root["chat_template_kwargs"], "chat_template_kwargs"));
    EDGEAI_TRY(optional_integer(root["top_logprobs"], "top_logprobs", 0, 20));
    EDGEAI_TRY(optional_bool(root["logprobs"], "logprobs"));
    req.logprobs = root["logprobs"].is_bool() && root["logprobs"].as_bool();
    if (root["top_logprobs"].is_number())
        req.top_logprobs = static_cast<uint32_t>(root["top_logprobs"].as_int64());
    return req;
}

// After require_text_or_tokens() accepted the shape.
static TextOrTokens text_or_tokens(JsonValue v) {
    TextOrTokens out;
    auto ids = [](JsonValue list) {
        std::vector<int64_t> r;
        for (size_t k = 0; k < list.size(); ++k)
            r.push_back(list.at(k).as_int64());
        return r;
    };
    if (v.is_string()) {
        out.texts.emplace_back(v.as_string());
    } else if (v.at(0).is_string()) {
        for (size_t i = 0; i < v.size(); ++i)
            out.texts.emplace_back(v.at(i).as_string());
    } else if (v.at(0).is_number()) {
        out.token_lists.push_back(ids(v));
    } else {
        for (size_t i = 0; i < v.size(); ++i)
            out.token_lists.push_back(ids(v.at(i)));
    }
    return out;
}

core::Result<CompletionRequest> decode_completion_request(std::string_view body) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, parse_request_body(body));
    JsonValue root = doc.root();
    CompletionRequest req;
    EDGEAI_TRY(require_model(root["model"]));
    req.model.assign(root["model"].as_string());
    EDGEAI_TRY(require_text_or_tokens(root["prompt"], "prompt"));
    req.prompt = text_or_tokens(root["prompt"]);
    EDGEAI_TRY(decode_stream(root, &req.stream, &req.include_usage));
    EDGEAI_TRY(decode_sampling(root, &req.sampling));
    EDGEAI_TRY(optional_bool(root["echo"], "echo"));
    req.echo = root["echo"].is_bool() && root["echo"].as_bool();
    EDGEAI_TRY(optional_string(root["suffix"], "suffix"));
    if (root["suffix"].is_string()) req.suffix.assign(root["suffix"].as_string());
    EDGEAI_TRY(optional_integer(root["logprobs"], "logprobs", 0, 5));
    if (root["logprobs"].is_number())
        req.logprobs = static_cast<int32_t>(root["logprobs"].as_int64());
    EDGEAI_TRY(optional_integer(root["best_of"], "best_of", 1, kMaxChoices));
    if (root["best_of"].is_number()) req.best_of = root["best_of"].as_int64();
    EDGEAI_TRY(decode_output_format(root, &req.format));
    return req;
}

core::Result<EmbeddingRequest> decode_embedding_request(std::string_view body) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, parse_request_body(body));
    JsonValue root = doc.root();
    EmbeddingRequest req;
    EDGEAI_TRY(require_model(root["model"]));
    req.model.assign(root["model"].as_string());
    EDGEAI_TRY(require_text_or_tokens(root["input"], "input"));
    req.input = text_or_tokens(root["input"]);
    EDGEAI_TRY(optional_enum(root["encoding_format"], "encoding_format", {"float", "base64"}));
    if (root["encoding_format"].is_string()) {
        req.encoding_format.assign(root["encoding_format"].as_string());
    }
    EDGEAI_TRY(optional_integer(root["dimensions"], "dimensions", 1, 65536));
    if (root["dimensions"].is_number()) req.dimensions = root["dimensions"].as_int64();
    EDGEAI_TRY(optional_string(root["user"], "user"));
    return req;
}

} // namespace edgeai::api
