// Streamed answers translated event by event between OpenAI's
// chat.completion.chunk stream and Anthropic's Messages event stream. Bytes go
// in as the backend sends them (any split); complete SSE events come out.
// Whatever goes in, what comes out is a well-formed stream of the other API:
// a broken or hostile input ends it with that API's error event, once.
#pragma once

#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::api::anthropic {

// Inbound: an OpenAI chunk stream -> message_start, content_block_start /
// _delta (text_delta, input_json_delta for tool calls) / _stop, message_delta
// (stop_reason, usage), message_stop. An OpenAI error event becomes an
// `error` event.
class ChunksToMessageEvents {
  public:
    // Returns the translated events completed by `bytes` (may be empty).
    std::string feed(std::string_view bytes);
    // The backend's stream ended without a transport error: the closing events,
    // or an error event when the stream stopped short (no finish_reason / [DONE]).
    std::string finish();
    // An error event was written; nothing more comes out.
    bool failed() const { return failed_; }

  private:
    void on_event(const codec::SseEvent& event, std::string& out);
    void close_open_block(std::string& out);
    void fail(std::string_view message, std::string& out);
    void fail_as(std::string_view type, std::string_view message, std::string& out);
    // Takes the events the parser completed, until the stream ends or fails.
    void drain(std::string& out);
    // The open block's stop, message_delta and message_stop.
    void end_message(std::string& out);

    codec::SseParser parser_;
    bool started_ = false;  // message_start written
    bool finished_ = false; // message_stop written
    bool failed_ = false;
    int open_block_ = -1; // index of the open content block, -1 for none
    bool open_is_text_ = false;
    int next_block_ = 0;
    int open_tool_call_ = -1; // OpenAI tool_calls index the open block belongs to
    std::string stop_reason_; // from finish_reason, Anthropic's name
    int64_t input_tokens_ = 0;
    int64_t output_tokens_ = 0;
    int64_t cache_read_tokens_ = 0;
    bool saw_done_ = false;
    int highest_tool_call_ = -1; // highest OpenAI tool_calls index opened so far
    std::string open_tool_id_;   // id of the tool call the open block belongs to
    bool saw_tool_call_ = false;
};

// Outbound: Anthropic Messages events -> chat.completion.chunk events and a
// final `data: [DONE]`; with include_usage, a usage chunk before it.
// ping and unknown events are skipped; an `error` event becomes an OpenAI
// error event ({"error":{...}}).
class MessageEventsToChunks {
  public:
    MessageEventsToChunks(bool include_usage, int64_t created_unix_s)
        : include_usage_(include_usage), created_(created_unix_s) {}

    std::string feed(std::string_view bytes);
    // Closing: an error event when message_stop never came.
    std::string finish();
    bool failed() const { return failed_; }

  private:
    void on_event(const codec::SseEvent& event, std::string& out);
    void fail(std::string_view message, std::string& out);
    void fail_as(std::string_view type, std::string_view message, std::string& out);
    void drain(std::string& out);
    // One chat.completion.chunk event; `delta` is a serialised object.
    void chunk(std::string_view delta, std::string_view finish_reason, std::string& out) const;

    bool include_usage_;
    int64_t created_;
    codec::SseParser parser_;
    std::string id_;
    std::string model_;
    bool started_ = false;
    bool stopped_ = false; // message_stop seen, [DONE] written
    bool failed_ = false;
    int tool_calls_ = 0;       // tool_use blocks seen so far
    int block_tool_call_ = -1; // tool_calls index of the current tool_use block
    int64_t input_tokens_ = 0;
    int64_t output_tokens_ = 0;
    std::string finish_reason_;
    bool finish_sent_ = false; // the chunk carrying finish_reason was written
};

} // namespace edgeai::api::anthropic
