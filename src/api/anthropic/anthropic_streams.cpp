#include "api/anthropic/anthropic_streams.h"

#include "api/anthropic/anthropic_common.h"
#include "api/anthropic/anthropic_responses.h"
#include "api/api_error.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <algorithm>

namespace edgeai::api::anthropic {

namespace {

using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;

// The parser checks its limit only between feeds, so an oversized event that
// arrives whole in one feed is caught here: the outcome must not depend on how
// the bytes were split.
constexpr size_t kMaxEventBytes = codec::SseParser::kDefaultMaxEventBytes;

std::string oversize_message() {
    return "an event in the backend's stream is larger than " + std::to_string(kMaxEventBytes) +
           " bytes";
}

bool absent(JsonValue v) {
    return v.is_missing() || v.is_null();
}

std::string_view trimmed(std::string_view s) {
    constexpr std::string_view kSpace = " \t\r\n";
    size_t begin = s.find_first_not_of(kSpace);
    if (begin == std::string_view::npos) return {};
    return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

// What an error event says, in OpenAI's shape or Anthropic's.
struct StreamError {
    std::string_view type;
    std::string_view message;
};

StreamError stream_error(JsonValue root) {
    JsonValue error = root["error"];
    if (error.is_object()) return {error["type"].as_string(), error["message"].as_string()};
    if (error.is_string()) return {{}, error.as_string()};
    return {{}, root["message"].as_string()};
}

void emit(std::string& out, std::string_view name, const std::string& data) {
    codec::append_sse_event(out, name, data);
}

} // namespace

// ---------------------------------------------------------------------------
// Inbound: chat.completion.chunk stream -> Messages events.

std::string ChunksToMessageEvents::feed(std::string_view bytes) {
    std::string out;
    if (failed_ || finished_) return out;
    core::Status fed = parser_.feed(bytes);
    drain(out);
    if (!fed.ok()) fail(oversize_message(), out);
    return out;
}

std::string ChunksToMessageEvents::finish() {
    std::string out;
    if (failed_ || finished_) return out;
    // An unfinished last event is dropped, as the event-stream format says; a
    // finish_reason already seen means the answer itself is complete.
    if (started_ && !stop_reason_.empty()) {
        end_message(out);
    } else {
        fail("the backend's stream ended before the answer was complete (no finish_reason and "
             "no [DONE])",
             out);
    }
    return out;
}

void ChunksToMessageEvents::drain(std::string& out) {
    codec::SseEvent event;
    while (!failed_ && !finished_ && parser_.next(event))
        on_event(event, out);
}

void ChunksToMessageEvents::on_event(const codec::SseEvent& event, std::string& out) {
    if (event.data.size() > kMaxEventBytes) {
        fail(oversize_message(), out);
        return;
    }
    std::string_view data = trimmed(event.data);
    if (data == "[DONE]") {
        saw_done_ = true;
        if (!started_) {
            fail("the backend's stream ended without an answer", out);
        } else {
            end_message(out);
        }
        return;
    }
    auto doc = JsonDocument::parse(data);
    if (!doc.ok() || !doc->root().is_object()) {
        if (event.event == "error") {
            fail_as("api_error", "the backend's stream failed: " + detail::excerpt(data), out);
        } else {
            fail("the backend sent an event that is not a JSON object: " + detail::excerpt(data),
                 out);
        }
        return;
    }
    JsonValue root = doc->root();
    if (event.event == "error" || !absent(root["error"])) {
        StreamError e = stream_error(root);
        std::string_view type = detail::is_anthropic_error_type(e.type) ? e.type : "api_error";
        fail_as(type, e.message.empty() ? "the backend's stream failed" : e.message, out);
        return;
    }

    if (!started_) {
        std::string_view chunk_id = root["id"].as_string();
        JsonWriter w;
        w.begin_object().field("type", "message_start").key("message").begin_object();
        w.field("id",
                std::string_view(detail::message_id_for(chunk_id.empty() ? "edgeai" : chunk_id)));
        w.field("type", "message").field("role", "assistant");
        w.field("model", root["model"].as_string());
        w.key("content").begin_array().end_array();
        w.key("stop_reason").null().key("stop_sequence").null();
        // OpenAI reports usage at the end; message_delta carries the real counts.
        w.key("usage").begin_object().field("input_tokens", 0).field("output_tokens", 0);
        w.end_object().end_object().end_object();
        emit(out, "message_start", w.take());
        started_ = true;
    }

    JsonValue usage = root["usage"];
    if (usage.is_object()) {
        int64_t prompt = detail::token_count(usage["prompt_tokens"]);
        int64_t cached =
            std::min(prompt, detail::token_count(usage["prompt_tokens_details"]["cached_tokens"]));
        input_tokens_ = prompt - cached;
        cache_read_tokens_ = cached;
        output_tokens_ = detail::token_count(usage["completion_tokens"]);
    }

    JsonValue choices = root["choices"];
    for (size_t k = 0; k < choices.size(); ++k) {
        JsonValue choice = choices.at(k);
        // Messages has one answer; a request translated from Messages asks for one.
        if (choice["index"].as_int64() != 0) continue;
        JsonValue delta = choice["delta"];
        std::string_view text = delta["content"].as_string();
        if (!text.empty()) {
            if (open_block_ < 0 || !open_is_text_) {
                close_open_block(out);
                open_block_ = next_block_++;
                open_is_text_ = true;
                JsonWriter w;
                w.begin_object().field("type", "content_block_start").field("index", open_block_);
                w.key("content_block").begin_object().field("type", "text").field("text", "");
                w.end_object().end_object();
                emit(out, "content_block_start", w.take());
            }
            JsonWriter w;
            w.begin_object().field("type", "content_block_delta").field("index", open_block_);
            w.key("delta").begin_object().field("type", "text_delta").field("text", text);
            w.end_object().end_object();
            emit(out, "content_block_delta", w.take());
        }

        JsonValue calls = delta["tool_calls"];
        for (size_t j = 0; j < calls.size(); ++j) {
            JsonValue call = calls.at(j);
            JsonValue index = call["index"];
            int64_t at = index.is_missing() ? static_cast<int64_t>(j) : index.as_int64();
            if ((!index.is_missing() && !index.is_integer()) || at < 0 || at > INT32_MAX) {
                fail("the backend sent a tool call with an invalid index", out);
                return;
            }
            const int tool_index = static_cast<int>(at);
            std::string_view id = call["id"].as_string();
            bool continues = open_block_ >= 0 && !open_is_text_ && tool_index == open_tool_call_ &&
                             (id.empty() || id == open_tool_id_);
            if (!continues) {
                // A fragment without an id belongs to a call already open; an
                // earlier call cannot be reopened once its block has closed.
                if (id.empty() && tool_index <= highest_tool_call_) {
                    fail("the backend interleaved the arguments of several tool calls, which a "
                         "Messages stream cannot carry",
                         out);
                    return;
                }
                close_open_block(out);
                open_block_ = next_block_++;
                open_is_text_ = false;
                open_tool_call_ = tool_index;
                highest_tool_call_ = std::max(highest_tool_call_, tool_index);
                saw_tool_call_ = true;
                open_tool_id_ = id.empty() ? "toolu_" + std::to_string(tool_index) : id;
                JsonWriter w;
                w.begin_object().field("type", "content_block_start").field("index", open_block_);
                w.key("content_block").begin_object().field("type", "tool_use");
                w.field("id", std::string_view(open_tool_id_));
                w.field("name", call["function"]["name"].as_string());
                w.key("input").begin_object().end_object();
                w.end_object().end_object();
                emit(out, "content_block_start", w.take());
            }
            std::string_view arguments = call["function"]["arguments"].as_string();
            if (!arguments.empty()) {
                JsonWriter w;
                w.begin_object().field("type", "content_block_delta").field("index", open_block_);
                w.key("delta").begin_object().field("type", "input_json_delta");
                w.field("partial_json", arguments).end_object().end_object();
                emit(out, "content_block_delta", w.take());
            }
        }

        std::string_view finish_reason = choice["finish_reason"].as_string();
        if (!finish_reason.empty()) stop_reason_.assign(stop_reason_for(finish_reason));
    }
}

void ChunksToMessageEvents::close_open_block(std::string& out) {
    if (open_block_ < 0) return;
    JsonWriter w;
    w.begin_object().field("type", "content_block_stop").field("index", open_block_).end_object();
    emit(out, "content_block_stop", w.take());
    open_block_ = -1;
    open_is_text_ = false;
    open_tool_call_ = -1;
}

void ChunksToMessageEvents::end_message(std::string& out) {
    close_open_block(out);
    std::string_view reason = stop_reason_.empty() ? std::string_view("end_turn") : stop_reason_;
    // As for whole answers: agents wait for "tool_use" before they run the calls.
    if (saw_tool_call_ && reason == "end_turn") reason = "tool_use";
    JsonWriter w;
    w.begin_object().field("type", "message_delta").key("delta").begin_object();
    w.field("stop_reason", reason).key("stop_sequence").null().end_object();
    w.key("usage").begin_object().field("input_tokens", input_tokens_);
    w.field("output_tokens", output_tokens_);
    if (cache_read_tokens_ > 0) w.field("cache_read_input_tokens", cache_read_tokens_);
    w.end_object().end_object();
    emit(out, "message_delta", w.take());
    emit(out, "message_stop", R"({"type":"message_stop"})");
    finished_ = true;
}

void ChunksToMessageEvents::fail(std::string_view message, std::string& out) {
    fail_as("api_error", message, out);
}

void ChunksToMessageEvents::fail_as(std::string_view type, std::string_view message,
                                    std::string& out) {
    if (failed_ || finished_) return;
    out += error_event(type, message);
    failed_ = true;
}

// ---------------------------------------------------------------------------
// Outbound: Messages events -> chat.completion.chunk stream.

std::string MessageEventsToChunks::feed(std::string_view bytes) {
    std::string out;
    if (failed_ || stopped_) return out;
    core::Status fed = parser_.feed(bytes);
    drain(out);
    if (!fed.ok()) fail(oversize_message(), out);
    return out;
}

std::string MessageEventsToChunks::finish() {
    std::string out;
    if (failed_ || stopped_) return out;
    fail("the backend's stream ended before message_stop", out);
    return out;
}

void MessageEventsToChunks::drain(std::string& out) {
    codec::SseEvent event;
    while (!failed_ && !stopped_ && parser_.next(event))
        on_event(event, out);
}

void MessageEventsToChunks::chunk(std::string_view delta, std::string_view finish_reason,
                                  std::string& out) const {
    JsonWriter w;
    w.begin_object().field("id", std::string_view(id_)).field("object", "chat.completion.chunk");
    w.field("created", created_).field("model", std::string_view(model_));
    w.key("choices").begin_array().begin_object().field("index", 0);
    w.key("delta").raw(delta).key("logprobs").null().key("finish_reason");
    if (finish_reason.empty()) {
        w.null();
    } else {
        w.value(finish_reason);
    }
    w.end_object().end_array().end_object();
    emit(out, "", w.take());
}

void MessageEventsToChunks::on_event(const codec::SseEvent& event, std::string& out) {
    if (event.data.size() > kMaxEventBytes) {
        fail(oversize_message(), out);
        return;
    }
    std::string_view data = trimmed(event.data);
    auto doc = JsonDocument::parse(data);
    if (!doc.ok() || !doc->root().is_object()) {
        if (event.event == "error") {
            fail_as("server_error", "the backend's stream failed: " + detail::excerpt(data), out);
        } else {
            fail("the backend sent an event that is not a JSON object: " + detail::excerpt(data),
                 out);
        }
        return;
    }
    JsonValue root = doc->root();
    std::string_view type = root["type"].as_string();
    if (type.empty()) type = event.event;

    if (type == "error" || event.event == "error") {
        StreamError e = stream_error(root);
        fail_as(detail::openai_error_type_for(e.type, 500),
                e.message.empty() ? "the backend's stream failed" : e.message, out);
        return;
    }
    if (type == "message_start") {
        if (started_) return;
        JsonValue message = root["message"];
        id_.assign(message["id"].as_string());
        if (id_.empty()) id_ = "msg_edgeai";
        model_.assign(message["model"].as_string());
        JsonValue usage = message["usage"];
        input_tokens_ = detail::add_tokens(
            detail::add_tokens(detail::token_count(usage["input_tokens"]),
                               detail::token_count(usage["cache_creation_input_tokens"])),
            detail::token_count(usage["cache_read_input_tokens"]));
        output_tokens_ = detail::token_count(usage["output_tokens"]);
        started_ = true;
        chunk(R"({"role":"assistant","content":""})", {}, out);
        return;
    }
    const bool message_event = type == "content_block_start" || type == "content_block_delta" ||
                               type == "content_block_stop" || type == "message_delta" ||
                               type == "message_stop";
    if (!message_event) return; // ping, and events added to the API later
    if (!started_) {
        fail("the backend's stream sent " + std::string(type) + " before message_start", out);
        return;
    }

    if (type == "content_block_start") {
        JsonValue block = root["content_block"];
        block_tool_call_ = -1;
        std::string_view block_type = block["type"].as_string();
        if (block_type == "tool_use") {
            block_tool_call_ = tool_calls_++;
            std::string arguments;
            if (block["input"].size() > 0) {
                // Deltas normally fill an empty input; a complete one arrives whole.
                JsonWriter aw(&arguments);
                codec::write_json_value(aw, block["input"]);
            }
            JsonWriter w;
            w.begin_object().key("tool_calls").begin_array().begin_object();
            w.field("index", block_tool_call_).field("id", block["id"].as_string());
            w.field("type", "function").key("function").begin_object();
            w.field("name", block["name"].as_string());
            w.field("arguments", std::string_view(arguments)).end_object();
            w.end_object().end_array().end_object();
            chunk(w.str(), {}, out);
        } else if (block_type == "text" && !block["text"].as_string().empty()) {
            JsonWriter w;
            w.begin_object().field("content", block["text"].as_string()).end_object();
            chunk(w.str(), {}, out);
        }
        return;
    }
    if (type == "content_block_delta") {
        JsonValue delta = root["delta"];
        std::string_view delta_type = delta["type"].as_string();
        if (delta_type == "text_delta" && !delta["text"].as_string().empty()) {
            JsonWriter w;
            w.begin_object().field("content", delta["text"].as_string()).end_object();
            chunk(w.str(), {}, out);
        } else if (delta_type == "input_json_delta" && block_tool_call_ >= 0 &&
                   !delta["partial_json"].as_string().empty()) {
            JsonWriter w;
            w.begin_object().key("tool_calls").begin_array().begin_object();
            w.field("index", block_tool_call_).key("function").begin_object();
            w.field("arguments", delta["partial_json"].as_string()).end_object();
            w.end_object().end_array().end_object();
            chunk(w.str(), {}, out);
        }
        // thinking, signature and citation deltas have no chat counterpart.
        return;
    }
    if (type == "content_block_stop") {
        block_tool_call_ = -1;
        return;
    }
    if (type == "message_delta") {
        JsonValue usage = root["usage"];
        if (!absent(usage["output_tokens"])) {
            output_tokens_ = detail::token_count(usage["output_tokens"]);
        }
        if (!absent(usage["input_tokens"])) {
            // Newer servers repeat the input counts here, cache included.
            input_tokens_ = detail::add_tokens(
                detail::add_tokens(detail::token_count(usage["input_tokens"]),
                                   detail::token_count(usage["cache_creation_input_tokens"])),
                detail::token_count(usage["cache_read_input_tokens"]));
        }
        std::string_view stop_reason = root["delta"]["stop_reason"].as_string();
        if (!stop_reason.empty() && !finish_sent_) {
            finish_reason_.assign(finish_reason_for(stop_reason));
            chunk("{}", finish_reason_, out);
            finish_sent_ = true;
        }
        return;
    }
    // message_stop
    if (!finish_sent_) {
        chunk("{}", finish_reason_.empty() ? std::string_view("stop") : finish_reason_, out);
        finish_sent_ = true;
    }
    if (include_usage_) {
        JsonWriter w;
        w.begin_object().field("id", std::string_view(id_));
        w.field("object", "chat.completion.chunk").field("created", created_);
        w.field("model", std::string_view(model_)).key("choices").begin_array().end_array();
        w.key("usage").begin_object().field("prompt_tokens", input_tokens_);
        w.field("completion_tokens", output_tokens_);
        w.field("total_tokens", detail::add_tokens(input_tokens_, output_tokens_));
        w.end_object().end_object();
        emit(out, "", w.take());
    }
    emit(out, "", "[DONE]");
    stopped_ = true;
}

void MessageEventsToChunks::fail(std::string_view message, std::string& out) {
    fail_as("server_error", message, out);
}

void MessageEventsToChunks::fail_as(std::string_view type, std::string_view message,
                                    std::string& out) {
    if (failed_ || stopped_) return;
    ApiError e;
    e.type.assign(type);
    e.message.assign(message);
    emit(out, "", render_api_error(e));
    failed_ = true;
}

} // namespace edgeai::api::anthropic
