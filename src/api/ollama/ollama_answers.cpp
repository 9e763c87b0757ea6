#include "api/ollama/ollama_answers.h"

#include "api/anthropic/anthropic_common.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/hex.h"
#include "core/sha256.h"

#include <vector>

namespace edgeai::api::ollama {

namespace {

using anthropic::detail::excerpt;
using anthropic::detail::token_count;
using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;

std::string_view done_reason_for(std::string_view finish_reason) {
    return finish_reason == "length" ? "length" : "stop";
}

int64_t elapsed(const OllamaFrame& frame) {
    return frame.elapsed_ns ? frame.elapsed_ns() : 0;
}

std::string now(const OllamaFrame& frame) {
    return frame.now ? frame.now() : std::string();
}

// An object's first members: the model and the time.
void begin_answer(JsonWriter& w, const OllamaFrame& frame) {
    w.begin_object().field("model", std::string_view(frame.model));
    w.field("created_at", std::string_view(now(frame)));
}

// One call as Ollama writes it: arguments as an object (the backend's JSON
// text parsed; kept as text only if it is not JSON, so nothing is lost).
void write_call(JsonWriter& w, std::string_view name, std::string_view arguments) {
    w.begin_object().key("function").begin_object().field("name", name);
    auto args = JsonDocument::parse(arguments);
    w.key("arguments");
    if (args.ok())
        codec::write_json_value(w, args->root());
    else
        w.value(arguments);
    w.end_object().end_object();
}

// The generated text, where the route puts it, and a chat's tool calls.
void write_text(JsonWriter& w, const OllamaFrame& frame, std::string_view text,
                const std::vector<std::pair<std::string, std::string>>& calls = {}) {
    if (frame.kind == Kind::kGenerate) {
        w.field("response", text);
    } else {
        w.key("message").begin_object().field("role", "assistant");
        w.field("content", text);
        if (!calls.empty()) {
            w.key("tool_calls").begin_array();
            for (const auto& [name, arguments] : calls)
                write_call(w, name, arguments);
            w.end_array();
        }
        w.end_object();
    }
}

std::vector<std::pair<std::string, std::string>> calls_of(JsonValue tool_calls) {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t k = 0; k < tool_calls.size(); ++k) {
        JsonValue fn = tool_calls.at(k)["function"];
        out.emplace_back(fn["name"].as_string(), fn["arguments"].as_string());
    }
    return out;
}

// The final object's counts and durations; an absent count is 0.
void write_counts(JsonWriter& w, int64_t total_ns, int64_t prompt_ns, int64_t prompt_tokens,
                  int64_t completion_tokens) {
    w.field("total_duration", total_ns).field("load_duration", int64_t{0});
    w.field("prompt_eval_count", prompt_tokens < 0 ? 0 : prompt_tokens);
    w.field("prompt_eval_duration", prompt_ns);
    w.field("eval_count", completion_tokens < 0 ? 0 : completion_tokens);
    w.field("eval_duration", total_ns - prompt_ns);
}

// Without a first-token time (a whole answer), the time is shared between the
// prompt and the output by their token counts.
int64_t prompt_share(int64_t total_ns, int64_t prompt_tokens, int64_t completion_tokens) {
    const int64_t p = prompt_tokens < 0 ? 0 : prompt_tokens;
    const int64_t c = completion_tokens < 0 ? 0 : completion_tokens;
    if (p + c == 0) return 0;
    return static_cast<int64_t>(static_cast<double>(total_ns) * static_cast<double>(p) /
                                static_cast<double>(p + c));
}

core::Result<std::string> embeddings_to_ollama(JsonValue root, const OllamaFrame& frame) {
    JsonValue data = root["data"];
    if (!data.is_array()) {
        return core::Status(core::StatusCode::kDataLoss, "the embeddings answer has no data array");
    }
    // By index: a backend may list them in any order.
    std::vector<JsonValue> ordered(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
        const int64_t at = data.at(i)["index"].is_integer() ? data.at(i)["index"].as_int64()
                                                            : static_cast<int64_t>(i);
        if (at < 0 || static_cast<size_t>(at) >= data.size() || !data.at(i)["embedding"].is_array())
            return core::Status(core::StatusCode::kDataLoss,
                                "the embeddings answer has a bad item at data[" +
                                    std::to_string(i) + "]");
        ordered[static_cast<size_t>(at)] = data.at(i);
    }
    JsonWriter w;
    w.begin_object();
    if (frame.kind == Kind::kEmbeddings) {
        w.key("embedding");
        if (ordered.empty()) {
            w.begin_array().end_array();
        } else {
            codec::write_json_value(w, ordered[0]["embedding"]);
        }
        w.end_object();
        return w.take();
    }
    w.field("model", std::string_view(frame.model)).key("embeddings").begin_array();
    for (const JsonValue& item : ordered)
        codec::write_json_value(w, item["embedding"]);
    w.end_array();
    w.field("total_duration", elapsed(frame)).field("load_duration", int64_t{0});
    w.field("prompt_eval_count", token_count(root["usage"]["prompt_tokens"]));
    w.end_object();
    return w.take();
}

} // namespace

std::string error_body(std::string_view message) {
    JsonWriter w;
    w.begin_object().field("error", message).end_object();
    return w.take();
}

bool is_error_body(std::string_view body) {
    auto doc = JsonDocument::parse(body);
    return doc.ok() && doc->root()["error"].is_string();
}

std::string error_from_backend(int http_status, std::string_view body) {
    auto doc = JsonDocument::parse(body);
    if (doc.ok()) {
        JsonValue error = doc->root()["error"];
        if (error.is_string()) return std::string(body);
        if (error["message"].is_string()) {
            std::string message(error["message"].as_string());
            if (error["param"].is_string() && !error["param"].as_string().empty())
                message = std::string(error["param"].as_string()) + ": " + message;
            return error_body(message);
        }
    }
    return error_body("the backend answered " + std::to_string(http_status) + ": " + excerpt(body));
}

core::Result<std::string> answer_to_ollama(std::string_view body, const OllamaFrame& frame) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, anthropic::detail::parse_backend_body(body));
    JsonValue root = doc.root();
    if (frame.kind == Kind::kEmbed || frame.kind == Kind::kEmbeddings)
        return embeddings_to_ollama(root, frame);
    JsonValue choices = root["choices"];
    if (!choices.is_array() || choices.size() == 0 || !choices.at(0).is_object()) {
        return core::Status(core::StatusCode::kDataLoss, "the answer has no choices[0] object");
    }
    JsonValue choice = choices.at(0);
    const std::string_view text = frame.completion_backend
                                      ? choice["text"].as_string()
                                      : choice["message"]["content"].as_string();
    const int64_t prompt = token_count(root["usage"]["prompt_tokens"]);
    const int64_t completion = token_count(root["usage"]["completion_tokens"]);
    const int64_t total = elapsed(frame);
    JsonWriter w;
    begin_answer(w, frame);
    write_text(w, frame, text, calls_of(choice["message"]["tool_calls"]));
    w.field("done_reason", done_reason_for(choice["finish_reason"].as_string()));
    w.field("done", true);
    write_counts(w, total, prompt_share(total, prompt, completion), prompt, completion);
    w.end_object();
    return w.take();
}

std::string load_answer(const OllamaFrame& frame, bool unload) {
    JsonWriter w;
    begin_answer(w, frame);
    write_text(w, frame, "");
    w.field("done_reason", unload ? "unload" : "load").field("done", true).end_object();
    return w.take();
}

std::string ChunksToOllama::feed(std::string_view bytes) {
    std::string out;
    if (done_) return out;
    if (!parser_.feed(bytes).ok()) {
        fail("an event in the backend's stream is too large", out);
        return out;
    }
    codec::SseEvent event;
    while (!done_ && parser_.next(event))
        on_event(event, out);
    return out;
}

std::string ChunksToOllama::finish() {
    std::string out;
    if (done_) return out;
    // A finish_reason seen means the answer is whole without [DONE].
    if (saw_finish_) {
        emit_final(out);
    } else {
        fail("the backend's stream ended before the answer was complete", out);
    }
    return out;
}

void ChunksToOllama::on_event(const codec::SseEvent& event, std::string& out) {
    std::string_view data = event.data;
    while (!data.empty() && (data.back() == '\n' || data.back() == '\r' || data.back() == ' '))
        data.remove_suffix(1);
    if (data == "[DONE]") {
        if (saw_finish_) {
            emit_final(out);
        } else {
            fail("the backend's stream ended without an answer", out);
        }
        return;
    }
    auto doc = JsonDocument::parse(data);
    if (!doc.ok() || !doc->root().is_object()) {
        fail("the backend sent an event that is not a JSON object: " + excerpt(data), out);
        return;
    }
    JsonValue root = doc->root();
    JsonValue error = root["error"];
    if (event.event == "error" || error.is_object() || error.is_string()) {
        std::string_view message =
            error.is_string() ? error.as_string() : error["message"].as_string();
        fail(message.empty() ? std::string_view("the backend's stream failed") : message, out);
        return;
    }
    JsonValue usage = root["usage"];
    if (usage.is_object()) {
        prompt_tokens_ = token_count(usage["prompt_tokens"]);
        completion_tokens_ = token_count(usage["completion_tokens"]);
    }
    JsonValue choices = root["choices"];
    for (size_t k = 0; k < choices.size(); ++k) {
        JsonValue choice = choices.at(k);
        if (choice["index"].as_int64() != 0) continue; // Ollama asks for one answer
        const std::string_view text = frame_.completion_backend
                                          ? choice["text"].as_string()
                                          : choice["delta"]["content"].as_string();
        if (!text.empty()) emit_text(text, out);
        // Calls come in pieces by index; Ollama sends them whole, at the end.
        JsonValue calls = choice["delta"]["tool_calls"];
        for (size_t c = 0; c < calls.size(); ++c) {
            const int64_t at = calls.at(c)["index"].as_int64();
            if (at < 0 || at > 64) continue;
            if (static_cast<size_t>(at) >= calls_.size())
                calls_.resize(static_cast<size_t>(at) + 1);
            JsonValue fn = calls.at(c)["function"];
            calls_[static_cast<size_t>(at)].first += fn["name"].as_string();
            calls_[static_cast<size_t>(at)].second += fn["arguments"].as_string();
        }
        const std::string_view reason = choice["finish_reason"].as_string();
        if (!reason.empty()) {
            finish_reason_.assign(reason);
            saw_finish_ = true;
        }
    }
}

void ChunksToOllama::emit_text(std::string_view text, std::string& out) {
    if (first_token_ns_ < 0) first_token_ns_ = elapsed(frame_);
    JsonWriter w;
    begin_answer(w, frame_);
    write_text(w, frame_, text);
    w.field("done", false).end_object();
    codec::append_sse_event(out, "", w.str());
}

void ChunksToOllama::emit_final(std::string& out) {
    if (!calls_.empty()) {
        JsonWriter w;
        begin_answer(w, frame_);
        write_text(w, frame_, "", calls_);
        w.field("done", false).end_object();
        codec::append_sse_event(out, "", w.str());
    }
    const int64_t total = elapsed(frame_);
    const int64_t prompt_ns = first_token_ns_ < 0 ? total : first_token_ns_;
    JsonWriter w;
    begin_answer(w, frame_);
    write_text(w, frame_, "");
    w.field("done_reason", done_reason_for(finish_reason_)).field("done", true);
    write_counts(w, total, prompt_ns, prompt_tokens_, completion_tokens_);
    w.end_object();
    codec::append_sse_event(out, "", w.str());
    done_ = true;
}

void ChunksToOllama::fail(std::string_view message, std::string& out) {
    if (done_) return;
    codec::append_sse_event(out, "", error_body(message));
    done_ = true;
}

std::string NdjsonStream::feed(std::string_view sse) {
    std::string out;
    if (!parser_.feed(sse).ok()) return out; // an event past a megabyte: dropped
    codec::SseEvent event;
    while (parser_.next(event)) {
        if (event.data.empty() || event.data == "[DONE]") continue;
        out += event.data;
        out += '\n';
    }
    return out;
}

std::string tagged_name(std::string_view id) {
    std::string name(id);
    // A tag follows the last ':' of the last path segment.
    const size_t slash = name.rfind('/');
    if (name.find(':', slash == std::string::npos ? 0 : slash) == std::string::npos)
        name += ":latest";
    return name;
}

namespace {

void write_details(JsonWriter& w) {
    w.key("details").begin_object().field("parent_model", "").field("format", "gguf");
    w.field("family", "").key("families").null().field("parameter_size", "");
    w.field("quantization_level", "").end_object();
}

} // namespace

core::Result<std::string> models_to_tags(std::string_view openai_list, std::string_view now,
                                         bool running, std::string (*format_time)(int64_t)) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, JsonDocument::parse(openai_list));
    JsonValue data = doc.root()["data"];
    JsonWriter w;
    w.begin_object().key("models").begin_array();
    for (size_t i = 0; i < data.size(); ++i) {
        const JsonValue model = data.at(i);
        const std::string_view id = model["id"].as_string();
        if (id.empty()) continue;
        if (running && model["loaded"].is_bool() && !model["loaded"].as_bool()) continue;
        const std::string name = tagged_name(id);
        // A stable digest for clients that key models by it: the name's hash.
        std::string digest;
        core::append_hex(digest, core::sha256(name));
        w.begin_object()
            .field("name", std::string_view(name))
            .field("model", std::string_view(name));
        if (!running) w.field("modified_at", now);
        const int64_t size = running ? model["memory_bytes"].as_int64() : 0;
        w.field("size", size).field("digest", std::string_view(digest));
        write_details(w);
        if (running) {
            // Without an expiry: served for as long as the gateway runs.
            const bool expires = model["expires_at"].is_integer() && format_time != nullptr;
            const std::string at = expires ? format_time(model["expires_at"].as_int64() * 1000)
                                           : std::string("9999-12-31T23:59:59Z");
            w.field("expires_at", std::string_view(at)).field("size_vram", int64_t{0});
        }
        w.end_object();
    }
    w.end_array().end_object();
    return w.take();
}

core::Result<std::string> model_to_show(std::string_view openai_model, std::string_view now) {
    EDGEAI_ASSIGN_OR_RETURN(JsonDocument doc, JsonDocument::parse(openai_model));
    const std::string_view id = doc.root()["id"].as_string();
    if (id.empty()) return core::Status(core::StatusCode::kDataLoss, "the model answer has no id");
    JsonWriter w;
    w.begin_object().field("modelfile", "").field("parameters", "").field("template", "");
    write_details(w);
    w.key("model_info").begin_object().end_object();
    w.key("capabilities").begin_array().value("completion").end_array();
    w.field("modified_at", now).end_object();
    return w.take();
}

} // namespace edgeai::api::ollama
