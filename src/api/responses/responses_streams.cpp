#include "api/responses/responses_streams.h"

#include "api/anthropic/anthropic_common.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <algorithm>

namespace edgeai::api::responses {

namespace {

using anthropic::detail::excerpt;
using anthropic::detail::token_count;
using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;

// The parser checks its limit only between feeds; an oversized event that
// arrives whole is caught here, so the outcome does not depend on the split.
constexpr size_t kMaxEventBytes = codec::SseParser::kDefaultMaxEventBytes;

std::string_view trimmed(std::string_view s) {
    constexpr std::string_view kSpace = " \t\r\n";
    size_t begin = s.find_first_not_of(kSpace);
    if (begin == std::string_view::npos) return {};
    return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

// Members continue an object the event opened: each starts with a comma.
class Members {
  public:
    Members& str(std::string_view name, std::string_view value) {
        out_ += ',';
        codec::append_json_string(out_, name);
        out_ += ':';
        codec::append_json_string(out_, value);
        return *this;
    }
    Members& num(std::string_view name, int64_t value) {
        out_ += ',';
        codec::append_json_string(out_, name);
        out_ += ':' + std::to_string(value);
        return *this;
    }
    Members& raw(std::string_view name, std::string_view json) {
        out_ += ',';
        codec::append_json_string(out_, name);
        out_ += ':';
        out_ += json;
        return *this;
    }
    const std::string& str() const { return out_; }

  private:
    std::string out_;
};

// `logprobs`: the entries, comma-joined, without the brackets.
std::string text_part(std::string_view text, std::string_view logprobs) {
    JsonWriter w;
    w.begin_object().field("type", "output_text").field("text", text);
    w.key("annotations").begin_array().end_array();
    w.key("logprobs").raw("[" + std::string(logprobs) + "]").end_object();
    return w.take();
}

// A chunk's logprobs.content as a JSON array's entries, comma-joined.
std::string logprob_entries(codec::JsonValue content) {
    std::string out;
    for (size_t i = 0; i < content.size(); ++i) {
        JsonWriter w(&out);
        if (i > 0) out += ',';
        codec::write_json_value(w, content.at(i));
    }
    return out;
}

std::string message_item(std::string_view id, std::string_view status, std::string_view part) {
    JsonWriter w;
    w.begin_object().field("id", id).field("type", "message").field("status", status);
    w.field("role", "assistant").key("content").begin_array();
    if (!part.empty()) w.raw(part);
    w.end_array().end_object();
    return w.take();
}

std::string call_item(std::string_view id, std::string_view status, std::string_view call_id,
                      std::string_view name, std::string_view arguments) {
    JsonWriter w;
    w.begin_object().field("id", id).field("type", "function_call").field("status", status);
    w.field("call_id", call_id).field("name", name).field("arguments", arguments).end_object();
    return w.take();
}

} // namespace

void ChunksToResponseEvents::emit(std::string_view type, std::string_view members,
                                  std::string& out) {
    std::string data = "{\"type\":";
    codec::append_json_string(data, type);
    data += ",\"sequence_number\":" + std::to_string(sequence_++);
    data += members;
    data += '}';
    codec::append_sse_event(out, type, data);
}

std::string ChunksToResponseEvents::feed(std::string_view bytes) {
    std::string out;
    if (failed_ || finished_) return out;
    core::Status fed = parser_.feed(bytes);
    drain(out);
    if (!fed.ok()) {
        fail("upstream_error",
             "an event in the backend's stream is larger than " + std::to_string(kMaxEventBytes) +
                 " bytes",
             out);
    }
    return out;
}

std::string ChunksToResponseEvents::finish() {
    std::string out;
    if (failed_ || finished_) return out;
    // A finish_reason seen means the answer is complete without [DONE].
    if (started_ && saw_finish_) {
        end_response(out);
    } else {
        fail("upstream_error",
             "the backend's stream ended before the answer was complete (no finish_reason and "
             "no [DONE])",
             out);
    }
    return out;
}

void ChunksToResponseEvents::drain(std::string& out) {
    codec::SseEvent event;
    while (!failed_ && !finished_ && parser_.next(event))
        on_event(event, out);
}

void ChunksToResponseEvents::start(std::string& out) {
    if (started_) return;
    started_ = true;
    const std::string response = render_response(frame_, model_, "in_progress", {}, "[]", nullptr);
    emit("response.created", Members().raw("response", response).str(), out);
    emit("response.in_progress", Members().raw("response", response).str(), out);
}

void ChunksToResponseEvents::on_event(const codec::SseEvent& event, std::string& out) {
    if (event.data.size() > kMaxEventBytes) {
        fail("upstream_error",
             "an event in the backend's stream is larger than " + std::to_string(kMaxEventBytes) +
                 " bytes",
             out);
        return;
    }
    std::string_view data = trimmed(event.data);
    if (data == "[DONE]") {
        if (!started_) {
            fail("upstream_error", "the backend's stream ended without an answer", out);
        } else {
            end_response(out);
        }
        return;
    }
    auto doc = JsonDocument::parse(data);
    if (!doc.ok() || !doc->root().is_object()) {
        fail("upstream_error",
             (event.event == "error" ? "the backend's stream failed: "
                                     : "the backend sent an event that is not a JSON object: ") +
                 excerpt(data),
             out);
        return;
    }
    JsonValue root = doc->root();
    if (event.event == "error" || root["error"].is_object() || root["error"].is_string()) {
        JsonValue error = root["error"];
        std::string_view message =
            error.is_string() ? error.as_string() : error["message"].as_string();
        fail(error["code"].is_string() ? error["code"].as_string() : "upstream_error",
             message.empty() ? "the backend's stream failed" : message, out);
        return;
    }
    if (model_.empty()) model_.assign(root["model"].as_string());
    start(out);

    JsonValue usage = root["usage"];
    if (usage.is_object()) {
        usage_.input_tokens = token_count(usage["prompt_tokens"]);
        usage_.output_tokens = token_count(usage["completion_tokens"]);
        usage_.cached_tokens = std::min(
            usage_.input_tokens, token_count(usage["prompt_tokens_details"]["cached_tokens"]));
        saw_usage_ = true;
    }
    JsonValue choices = root["choices"];
    for (size_t k = 0; k < choices.size(); ++k) {
        JsonValue choice = choices.at(k);
        // A Responses request asks for one answer.
        if (choice["index"].as_int64() != 0) continue;
        JsonValue delta = choice["delta"];
        std::string_view text = delta["content"].as_string();
        if (text.empty()) text = delta["refusal"].as_string();
        JsonValue logprobs = choice["logprobs"]["content"];
        if (!text.empty()) {
            text_delta(text, logprobs, out);
        } else if (open_ == Open::kMessage && logprobs.size() > 0) {
            // Tokens whose text came out earlier (or not at all: a stop string).
            if (!logprobs_.empty()) logprobs_ += ',';
            logprobs_ += logprob_entries(logprobs);
        }
        JsonValue calls = delta["tool_calls"];
        for (size_t j = 0; j < calls.size(); ++j) {
            if (!tool_call_delta(calls.at(j), j, out)) return;
        }
        std::string_view finish_reason = choice["finish_reason"].as_string();
        if (!finish_reason.empty()) {
            finish_reason_.assign(finish_reason);
            saw_finish_ = true;
        }
    }
}

void ChunksToResponseEvents::text_delta(std::string_view text, JsonValue logprobs,
                                        std::string& out) {
    if (open_ != Open::kMessage) {
        close_open_item(out);
        open_ = Open::kMessage;
        item_id_ = messages_ == 0 ? frame_.message_id
                                  : frame_.message_id + "_" + std::to_string(messages_);
        ++messages_;
        text_.clear();
        logprobs_.clear();
        emit("response.output_item.added",
             Members()
                 .num("output_index", static_cast<int64_t>(items_.size()))
                 .raw("item", message_item(item_id_, "in_progress", {}))
                 .str(),
             out);
        emit("response.content_part.added",
             Members()
                 .str("item_id", item_id_)
                 .num("output_index", static_cast<int64_t>(items_.size()))
                 .num("content_index", 0)
                 .raw("part", text_part("", ""))
                 .str(),
             out);
    }
    text_.append(text);
    const std::string entries = logprob_entries(logprobs);
    if (!entries.empty()) {
        if (!logprobs_.empty()) logprobs_ += ',';
        logprobs_ += entries;
    }
    emit("response.output_text.delta",
         Members()
             .str("item_id", item_id_)
             .num("output_index", static_cast<int64_t>(items_.size()))
             .num("content_index", 0)
             .str("delta", text)
             .raw("logprobs", "[" + entries + "]")
             .str(),
         out);
}

bool ChunksToResponseEvents::tool_call_delta(JsonValue call, size_t position, std::string& out) {
    JsonValue index = call["index"];
    const int64_t at = index.is_missing() ? static_cast<int64_t>(position) : index.as_int64();
    if ((!index.is_missing() && !index.is_integer()) || at < 0 || at > INT32_MAX) {
        fail("upstream_error", "the backend sent a tool call with an invalid index", out);
        return false;
    }
    const int call_index = static_cast<int>(at);
    std::string_view id = call["id"].as_string();
    const bool continues =
        open_ == Open::kCall && call_index == open_call_index_ && (id.empty() || id == call_id_);
    if (!continues) {
        if (id.empty() && call_index <= highest_call_index_) {
            fail("upstream_error",
                 "the backend interleaved the arguments of several tool calls, which a "
                 "Responses stream cannot carry",
                 out);
            return false;
        }
        close_open_item(out);
        open_ = Open::kCall;
        open_call_index_ = call_index;
        highest_call_index_ = std::max(highest_call_index_, call_index);
        item_id_ = function_call_item_id(frame_, calls_++);
        call_id_ = id.empty() ? "call_" + item_id_ : std::string(id);
        call_name_.assign(call["function"]["name"].as_string());
        text_.clear();
        emit("response.output_item.added",
             Members()
                 .num("output_index", static_cast<int64_t>(items_.size()))
                 .raw("item", call_item(item_id_, "in_progress", call_id_, call_name_, ""))
                 .str(),
             out);
    }
    std::string_view arguments = call["function"]["arguments"].as_string();
    if (!arguments.empty()) {
        text_.append(arguments);
        emit("response.function_call_arguments.delta",
             Members()
                 .str("item_id", item_id_)
                 .num("output_index", static_cast<int64_t>(items_.size()))
                 .str("delta", arguments)
                 .str(),
             out);
    }
    return true;
}

void ChunksToResponseEvents::close_open_item(std::string& out) {
    const int64_t output_index = static_cast<int64_t>(items_.size());
    if (open_ == Open::kMessage) {
        const std::string part = text_part(text_, logprobs_);
        const std::string_view status =
            outcome_for(finish_reason_).status == "completed" ? "completed" : "incomplete";
        emit("response.output_text.done",
             Members()
                 .str("item_id", item_id_)
                 .num("output_index", output_index)
                 .num("content_index", 0)
                 .str("text", text_)
                 .raw("logprobs", "[" + logprobs_ + "]")
                 .str(),
             out);
        emit("response.content_part.done",
             Members()
                 .str("item_id", item_id_)
                 .num("output_index", output_index)
                 .num("content_index", 0)
                 .raw("part", part)
                 .str(),
             out);
        items_.push_back(message_item(item_id_, status, part));
    } else if (open_ == Open::kCall) {
        emit("response.function_call_arguments.done",
             Members()
                 .str("item_id", item_id_)
                 .num("output_index", output_index)
                 .str("name", call_name_)
                 .str("arguments", text_)
                 .str(),
             out);
        items_.push_back(call_item(item_id_, "completed", call_id_, call_name_, text_));
    } else {
        return;
    }
    emit("response.output_item.done",
         Members().num("output_index", output_index).raw("item", items_.back()).str(), out);
    open_ = Open::kNone;
    open_call_index_ = -1;
}

void ChunksToResponseEvents::end_response(std::string& out) {
    close_open_item(out);
    std::string output = "[";
    for (size_t i = 0; i < items_.size(); ++i) {
        if (i > 0) output += ',';
        output += items_[i];
    }
    output += ']';
    const Outcome outcome = outcome_for(finish_reason_);
    final_ = render_response(frame_, model_, outcome.status, outcome.incomplete_reason, output,
                             saw_usage_ ? &usage_ : nullptr);
    emit(outcome.status == "completed" ? "response.completed" : "response.incomplete",
         Members().raw("response", final_).str(), out);
    finished_ = true;
}

void ChunksToResponseEvents::fail(std::string_view code, std::string_view message,
                                  std::string& out) {
    if (failed_ || finished_) return;
    emit("error", Members().str("code", code).str("message", message).raw("param", "null").str(),
         out);
    if (started_) {
        // The response object says it failed too, as OpenAI's streams end.
        std::string response = render_response(frame_, model_, "failed", {}, "[]", nullptr);
        JsonWriter e;
        e.begin_object().field("code", code).field("message", message).end_object();
        const std::string key = "\"error\":null";
        const size_t at = response.find(key);
        if (at != std::string::npos) response.replace(at, key.size(), "\"error\":" + e.str());
        emit("response.failed", Members().raw("response", response).str(), out);
    }
    failed_ = true;
}

} // namespace edgeai::api::responses
