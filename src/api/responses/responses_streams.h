// A streamed chat completion (chat.completion.chunk events) turned into the
// Responses API's event stream, event by event: response.created,
// response.in_progress, then per output item output_item.added,
// content_part.added, output_text.delta ... .done, content_part.done (a
// message) or function_call_arguments.delta ... .done (a function call),
// output_item.done, and last response.completed or response.incomplete with
// usage. Every event carries its sequence_number. Whatever comes in, what goes
// out is a well-formed Responses stream: a broken input ends it with one
// `error` event and response.failed.
#pragma once

#include "api/responses/responses_answers.h"
#include "codec/json/json_document.h"
#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::api::responses {

class ChunksToResponseEvents {
  public:
    explicit ChunksToResponseEvents(ResponseFrame frame) : frame_(std::move(frame)) {}

    // The translated events completed by `bytes` (may be empty).
    std::string feed(std::string_view bytes);
    // The backend's stream ended without a transport error: the closing
    // events, or an error when it stopped short (no finish_reason, no [DONE]).
    std::string finish();

    bool failed() const { return failed_; }
    // The final `response` object once response.completed or .incomplete was
    // written; empty before.
    const std::string& final_response() const { return final_; }

  private:
    void drain(std::string& out);
    void on_event(const codec::SseEvent& event, std::string& out);
    void start(std::string& out);
    void text_delta(std::string_view text, codec::JsonValue logprobs, std::string& out);
    bool tool_call_delta(codec::JsonValue call, size_t position, std::string& out);
    void close_open_item(std::string& out);
    void end_response(std::string& out);
    void fail(std::string_view code, std::string_view message, std::string& out);
    // An event's JSON with its type and sequence number; `members` are the
    // rest, already serialised (",\"item_id\":...").
    void emit(std::string_view type, std::string_view members, std::string& out);

    ResponseFrame frame_;
    codec::SseParser parser_;
    std::string model_;
    int64_t sequence_ = 0;
    bool started_ = false;
    bool finished_ = false;
    bool failed_ = false;
    bool saw_finish_ = false;
    std::string finish_reason_;
    ResponseUsage usage_;
    bool saw_usage_ = false;
    std::vector<std::string> items_; // completed output items, JSON
    // The open item: a message (its text so far) or a function call.
    enum class Open { kNone, kMessage, kCall } open_ = Open::kNone;
    std::string item_id_;
    std::string text_;
    std::string logprobs_;     // the open message's logprobs entries, comma-joined JSON
    int open_call_index_ = -1; // chat tool_calls index of the open call
    int highest_call_index_ = -1;
    std::string call_id_;
    std::string call_name_;
    size_t messages_ = 0; // message items opened so far
    size_t calls_ = 0;    // function_call items opened so far
    std::string final_;
};

} // namespace edgeai::api::responses
