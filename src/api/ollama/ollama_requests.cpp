#include "api/ollama/ollama_requests.h"

#include "api/field_check.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/keep_alive.h"

#include <algorithm>
#include <vector>

namespace edgeai::api::ollama {

namespace {

using codec::JsonDocument;
using codec::JsonWriter;

// OpenAI's cap on stop sequences, which every OpenAI-shaped backend enforces.
constexpr size_t kMaxStops = 4;

bool absent(JsonValue v) {
    return v.is_missing() || v.is_null();
}

// Options that tune Ollama's own runtime (threads, GPU layers, memory
// mapping): this gateway sets those when it starts, so a request's are
// accepted and have no effect, as Ollama clients send them unasked.
constexpr std::string_view kRuntimeOptions[] = {
    "num_ctx",
    "num_keep",
    "num_batch",
    "num_gpu",
    "main_gpu",
    "use_mmap",
    "use_mlock",
    "num_thread",
    "numa",
    "low_vram",
    "vocab_only",
    "f16_kv",
    "logits_all",
    "embedding_only",
    "num_gqa",
    "rope_frequency_base",
    "rope_frequency_scale",
};

bool is_runtime_option(std::string_view name) {
    for (std::string_view known : kRuntimeOptions)
        if (known == name) return true;
    return false;
}

void copy_number(JsonWriter& w, std::string_view name, JsonValue v) {
    if (!v.is_number()) return;
    w.key(name);
    codec::write_json_value(w, v);
}

// options -> the OpenAI sampling fields (top_k, min_p and repeat_penalty as
// llama.cpp's server names them; the local engine honours them too).
core::Status write_options(JsonWriter& w, JsonValue options) {
    EDGEAI_TRY(optional_object(options, "options"));
    if (!options.is_object()) return {};
    for (size_t i = 0; i < options.size(); ++i) {
        const std::string_view name = options.member_name(i);
        const JsonValue v = options.member_value(i);
        const std::string field = "options." + std::string(name);
        if (name == "num_predict") {
            EDGEAI_TRY(optional_integer(v, field, -2, INT32_MAX));
            // -1 (no limit) and -2 (fill the context) are the backend's default.
            if (v.is_number() && v.as_int64() > 0) w.field("max_tokens", v.as_int64());
        } else if (name == "temperature") {
            EDGEAI_TRY(optional_number(v, field, 0, 2));
            copy_number(w, "temperature", v);
        } else if (name == "top_p" || name == "min_p") {
            EDGEAI_TRY(optional_number(v, field, 0, 1));
            copy_number(w, name, v);
        } else if (name == "top_k") {
            EDGEAI_TRY(optional_integer(v, field, 0, INT32_MAX));
            copy_number(w, "top_k", v);
        } else if (name == "seed") {
            EDGEAI_TRY(optional_integer(v, field, INT64_MIN, INT64_MAX));
            copy_number(w, "seed", v);
        } else if (name == "repeat_penalty") {
            EDGEAI_TRY(optional_number(v, field, 0, 100));
            copy_number(w, "repeat_penalty", v);
        } else if (name == "repeat_last_n") {
            EDGEAI_TRY(optional_integer(v, field, -1, 65536));
            copy_number(w, "repeat_last_n", v);
        } else if (name == "presence_penalty" || name == "frequency_penalty") {
            EDGEAI_TRY(optional_number(v, field, -2, 2));
            copy_number(w, name, v);
        } else if (name == "stop") {
            EDGEAI_TRY(optional_string_or_strings(v, field, kMaxStops));
            if (!absent(v)) {
                w.key("stop");
                codec::write_json_value(w, v);
            }
        } else if (is_runtime_option(name)) {
            continue;
        } else {
            return field_error(field, "is not supported by this gateway (supported: num_predict, "
                                      "temperature, top_k, top_p, min_p, seed, stop, "
                                      "repeat_penalty, repeat_last_n, presence_penalty, "
                                      "frequency_penalty, num_ctx and the runtime options)");
        }
    }
    return {};
}

// format: "json" (any JSON object) or a JSON schema -> response_format,
// which the local engine enforces with its grammar engine.
core::Status write_format(JsonWriter& w, JsonValue format) {
    if (absent(format) || (format.is_string() && format.as_string().empty())) return {};
    if (format.is_string()) {
        if (format.as_string() != "json")
            return field_error("format", "expected \"json\" or a JSON schema object");
        w.key("response_format").begin_object().field("type", "json_object").end_object();
        return {};
    }
    if (!format.is_object())
        return field_error("format", "expected \"json\" or a JSON schema object, found " +
                                         std::string(codec::json_type_phrase(format.type())));
    w.key("response_format").begin_object().field("type", "json_schema");
    w.key("json_schema").begin_object().field("name", "format").field("strict", true);
    w.key("schema");
    codec::write_json_value(w, format);
    w.end_object().end_object();
    return {};
}

// Ollama sends images bare, base64 without a media type; a data URL needs
// one, read from the first bytes of the image.
core::Result<std::string> image_data_url(JsonValue image, const std::string& field) {
    EDGEAI_TRY(require_string(image, field));
    const std::string_view b64 = image.as_string();
    struct Magic {
        std::string_view prefix, type;
    };
    constexpr Magic kMagic[] = {{"iVBORw0KGgo", "image/png"},
                                {"/9j/", "image/jpeg"},
                                {"R0lGOD", "image/gif"},
                                {"UklGR", "image/webp"}};
    for (const Magic& m : kMagic) {
        if (b64.substr(0, m.prefix.size()) == m.prefix)
            return "data:" + std::string(m.type) + ";base64," + std::string(b64);
    }
    return field_error(field, "expected a base64 PNG, JPEG, GIF or WebP image");
}

// A user turn's content: the text alone, or parts when it has images.
core::Status write_content(JsonWriter& w, std::string_view text, JsonValue images,
                           const std::string& field) {
    if (absent(images) || (images.is_array() && images.size() == 0)) {
        w.field("content", text);
        return {};
    }
    EDGEAI_TRY(require_array(images, field));
    w.key("content").begin_array();
    if (!text.empty()) w.begin_object().field("type", "text").field("text", text).end_object();
    for (size_t k = 0; k < images.size(); ++k) {
        EDGEAI_ASSIGN_OR_RETURN(std::string url, image_data_url(images.at(k), indexed(field, k)));
        w.begin_object().field("type", "image_url").key("image_url").begin_object();
        w.field("url", std::string_view(url)).end_object().end_object();
    }
    w.end_array();
    return {};
}

// Ollama's tools have OpenAI's shape; they go to the backend as they are.
core::Status write_tools(JsonWriter& w, JsonValue tools) {
    if (absent(tools)) return {};
    EDGEAI_TRY(require_array(tools, "tools"));
    for (size_t i = 0; i < tools.size(); ++i)
        EDGEAI_TRY(require_object(tools.at(i), indexed("tools", i)));
    if (tools.size() == 0) return {};
    w.key("tools");
    codec::write_json_value(w, tools);
    return {};
}

// An assistant's calls as OpenAI's tool_calls: Ollama sends arguments as an
// object and no ids, so each call gets an id that the tool messages after
// it answer, in order.
core::Status write_tool_calls(JsonWriter& w, JsonValue calls, const std::string& field,
                              size_t message, std::vector<std::string>& pending) {
    EDGEAI_TRY(require_array(calls, field));
    pending.clear();
    w.key("tool_calls").begin_array();
    for (size_t k = 0; k < calls.size(); ++k) {
        const std::string at = indexed(field, k);
        JsonValue fn = calls.at(k)["function"];
        EDGEAI_TRY(require_object(fn, at + ".function"));
        EDGEAI_TRY(require_string(fn["name"], at + ".function.name"));
        JsonValue args = fn["arguments"];
        if (!absent(args) && !args.is_object())
            return field_error(at + ".function.arguments", "expected an object");
        std::string id = "call_" + std::to_string(message) + "_" + std::to_string(k);
        w.begin_object().field("id", std::string_view(id)).field("type", "function");
        w.key("function").begin_object().field("name", fn["name"].as_string());
        std::string text = "{}";
        if (args.is_object()) {
            JsonWriter a;
            codec::write_json_value(a, args);
            text = a.take();
        }
        w.field("arguments", std::string_view(text)).end_object().end_object();
        pending.push_back(std::move(id));
    }
    w.end_array();
    std::reverse(pending.begin(), pending.end()); // answered first to last
    return {};
}

core::Status check_think(JsonValue think) {
    if (absent(think) || (think.is_bool() && !think.as_bool())) return {};
    return field_error("think", "thinking output is not supported by this gateway");
}

// What every request shares: the model, stream (Ollama's default is true),
// keep_alive (how long a local model stays loaded afterwards).
core::Status read_common(JsonValue root, TranslatedOllamaRequest* out) {
    EDGEAI_TRY(require_model(root["model"]));
    EDGEAI_TRY(optional_bool(root["stream"], "stream"));
    JsonValue keep = root["keep_alive"];
    if (!absent(keep) && !keep.is_string() && !keep.is_number())
        return field_error("keep_alive", "expected a duration such as \"5m\" or seconds");
    if (keep.is_string()) {
        out->keep_alive.assign(keep.as_string());
    } else if (keep.is_number()) {
        JsonWriter number;
        codec::write_json_value(number, keep);
        out->keep_alive = number.take();
    }
    if (!out->keep_alive.empty())
        if (core::Status st = core::parse_keep_alive(out->keep_alive).status(); !st.ok())
            return field_error("keep_alive", st.message());
    out->requested_model.assign(root["model"].as_string());
    out->model.assign(without_latest(out->requested_model));
    EDGEAI_TRY(check_model_id(out->model, "model"));
    out->stream = !root["stream"].is_bool() || root["stream"].as_bool();
    return {};
}

// A request that only loads the model is checked all the same: its options
// would be refused on the next request otherwise, far from the mistake.
core::Status check_settings(JsonValue root) {
    std::string scratch;
    JsonWriter w(&scratch);
    w.begin_object();
    EDGEAI_TRY(write_options(w, root["options"]));
    return write_format(w, root["format"]);
}

void write_stream(JsonWriter& w, bool stream) {
    if (!stream) return;
    // The final object carries the token counts; chat streams have them only when asked.
    w.field("stream", true).key("stream_options").begin_object();
    w.field("include_usage", true).end_object();
}

core::Status chat(JsonValue root, TranslatedOllamaRequest* out) {
    EDGEAI_TRY(check_think(root["think"]));
    JsonValue messages = root["messages"];
    if (!absent(messages)) EDGEAI_TRY(require_array(messages, "messages", true));
    if (messages.size() == 0) {
        out->load_only = true;
        return check_settings(root);
    }
    JsonWriter w(&out->backend_body);
    w.begin_object().field("model", std::string_view(out->model));
    w.key("messages").begin_array();
    std::vector<std::string> pending_calls;
    for (size_t i = 0; i < messages.size(); ++i) {
        const std::string field = indexed("messages", i);
        JsonValue m = messages.at(i);
        EDGEAI_TRY(require_object(m, field));
        EDGEAI_TRY(require_string(m["role"], field + ".role"));
        EDGEAI_TRY(
            optional_enum(m["role"], field + ".role", {"system", "user", "assistant", "tool"}));
        EDGEAI_TRY(optional_string(m["content"], field + ".content"));
        EDGEAI_TRY(optional_string(m["thinking"], field + ".thinking"));
        EDGEAI_TRY(optional_string(m["tool_name"], field + ".tool_name"));
        const std::string_view role = m["role"].as_string();
        if (role != "user" && !absent(m["images"]))
            return field_error(field + ".images", "images are taken on user messages only");
        if (role != "assistant" && !absent(m["tool_calls"]))
            return field_error(field + ".tool_calls", "only assistant messages make tool calls");
        w.begin_object().field("role", role);
        EDGEAI_TRY(write_content(w, m["content"].as_string(), m["images"], field + ".images"));
        if (!absent(m["tool_calls"]))
            EDGEAI_TRY(
                write_tool_calls(w, m["tool_calls"], field + ".tool_calls", i, pending_calls));
        if (role == "tool") {
            std::string id = "call_unknown";
            if (!pending_calls.empty()) {
                id = std::move(pending_calls.back());
                pending_calls.pop_back();
            }
            w.field("tool_call_id", std::string_view(id));
            if (!m["tool_name"].as_string().empty()) w.field("name", m["tool_name"].as_string());
        }
        w.end_object();
    }
    w.end_array();
    write_stream(w, out->stream);
    EDGEAI_TRY(write_tools(w, root["tools"]));
    EDGEAI_TRY(write_options(w, root["options"]));
    EDGEAI_TRY(write_format(w, root["format"]));
    w.end_object();
    out->backend_path = "/chat/completions";
    return {};
}

core::Status generate(JsonValue root, TranslatedOllamaRequest* out) {
    EDGEAI_TRY(optional_string(root["prompt"], "prompt"));
    EDGEAI_TRY(optional_string(root["system"], "system"));
    EDGEAI_TRY(optional_string(root["suffix"], "suffix"));
    EDGEAI_TRY(optional_string(root["template"], "template"));
    EDGEAI_TRY(optional_bool(root["raw"], "raw"));
    EDGEAI_TRY(check_think(root["think"]));
    if (!root["suffix"].as_string().empty())
        return field_error("suffix", "fill-in-the-middle is not supported by this gateway");
    if (!root["template"].as_string().empty())
        return field_error("template", "a request's own template is not supported; the model's "
                                       "chat template applies (or send raw: true)");
    JsonValue context = root["context"];
    if (!absent(context) && !(context.is_array() && context.size() == 0))
        return field_error("context", "context is not supported (Ollama deprecates it too); "
                                      "continue a conversation with /api/chat");
    const std::string_view prompt = root["prompt"].as_string();
    JsonValue images = root["images"];
    if (prompt.empty() && (absent(images) || images.size() == 0)) {
        out->load_only = true;
        return check_settings(root);
    }
    const bool raw = root["raw"].as_bool();
    JsonWriter w(&out->backend_body);
    w.begin_object().field("model", std::string_view(out->model));
    if (raw) {
        if (!absent(images))
            return field_error("images", "images need the model's template; send them "
                                         "without raw");
        // No template: the prompt goes to the model as it is.
        w.field("prompt", prompt);
        out->backend_path = "/completions";
    } else {
        w.key("messages").begin_array();
        const std::string_view system = root["system"].as_string();
        if (!system.empty())
            w.begin_object().field("role", "system").field("content", system).end_object();
        w.begin_object().field("role", "user");
        EDGEAI_TRY(write_content(w, prompt, images, "images"));
        w.end_object().end_array();
        out->backend_path = "/chat/completions";
    }
    write_stream(w, out->stream);
    EDGEAI_TRY(write_options(w, root["options"]));
    EDGEAI_TRY(write_format(w, root["format"]));
    w.end_object();
    return {};
}

core::Status embed(JsonValue root, bool older, TranslatedOllamaRequest* out) {
    // Embeddings are one answer, never a stream.
    out->stream = false;
    // Sampling options mean nothing to an embedding; they are checked only
    // for their shape, as Ollama takes them.
    EDGEAI_TRY(optional_object(root["options"], "options"));
    JsonWriter w(&out->backend_body);
    w.begin_object().field("model", std::string_view(out->model));
    if (older) {
        EDGEAI_TRY(require_string(root["prompt"], "prompt", true));
        w.field("input", root["prompt"].as_string());
    } else {
        JsonValue input = root["input"];
        if (input.is_missing()) return field_error("input", "is required");
        if (!input.is_string()) {
            EDGEAI_TRY(require_array(input, "input"));
            for (size_t i = 0; i < input.size(); ++i)
                EDGEAI_TRY(require_string(input.at(i), indexed("input", i), true));
        }
        EDGEAI_TRY(optional_bool(root["truncate"], "truncate"));
        EDGEAI_TRY(optional_integer(root["dimensions"], "dimensions", 1, INT32_MAX));
        w.key("input");
        codec::write_json_value(w, input);
        if (root["dimensions"].is_number()) w.field("dimensions", root["dimensions"].as_int64());
    }
    w.field("encoding_format", "float").end_object();
    out->backend_path = "/embeddings";
    return {};
}

} // namespace

std::string_view without_latest(std::string_view model) {
    constexpr std::string_view kLatest = ":latest";
    if (model.size() > kLatest.size() && model.substr(model.size() - kLatest.size()) == kLatest)
        model.remove_suffix(kLatest.size());
    return model;
}

core::Result<std::string> model_of(std::string_view body) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, parse_request_body(body));
    JsonValue root = doc.root();
    // Older clients name it `name`.
    JsonValue model = root["model"].is_missing() ? root["name"] : root["model"];
    EDGEAI_TRY(require_string(model, "model"));
    std::string out(without_latest(model.as_string()));
    EDGEAI_TRY(check_model_id(out, "model"));
    return out;
}

core::Result<TranslatedOllamaRequest> ollama_to_openai(Kind kind, std::string_view body) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, parse_request_body(body));
    JsonValue root = doc.root();
    TranslatedOllamaRequest out;
    out.kind = kind;
    EDGEAI_TRY(read_common(root, &out));
    switch (kind) {
    case Kind::kChat:
        EDGEAI_TRY(chat(root, &out));
        break;
    case Kind::kGenerate:
        EDGEAI_TRY(generate(root, &out));
        break;
    case Kind::kEmbed:
        EDGEAI_TRY(embed(root, false, &out));
        break;
    case Kind::kEmbeddings:
        EDGEAI_TRY(embed(root, true, &out));
        break;
    }
    return out;
}

} // namespace edgeai::api::ollama
