// Incremental parser for Server-Sent Events (the WHATWG event-stream format) as
// OpenAI-compatible upstreams send them. Bytes arrive in arbitrary pieces; events
// come out whole. Lines may end in LF, CRLF or CR, even when split across feeds.
#pragma once

#include "core/status.h"

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace edgeai::codec {

struct SseEvent {
    std::string event; // the "event:" field; empty means "message"
    std::string data;  // "data:" lines joined with '\n'
    std::string id;
};

class SseParser {
  public:
    // One OpenAI chunk is a few hundred bytes; a megabyte bounds a hostile stream.
    static constexpr size_t kDefaultMaxEventBytes = size_t{1} << 20;

    explicit SseParser(size_t max_event_bytes = kDefaultMaxEventBytes)
        : max_event_bytes_(max_event_bytes) {}

    // Consumes bytes. Fails (and stays failed) when one event grows past the limit.
    core::Status feed(std::string_view bytes);

    // Takes the next complete event, if any.
    bool next(SseEvent& out);

    // True when no partial line or event is pending: the stream ended on a boundary.
    bool at_boundary() const { return line_.empty() && pending_.data.empty() && !has_data_; }

  private:
    void process_line(std::string_view line);
    void dispatch();

    size_t max_event_bytes_;
    std::string line_;
    SseEvent pending_;
    bool has_data_ = false; // a data field was seen, even an empty one
    bool last_was_cr_ = false;
    bool failed_ = false;
    std::deque<SseEvent> ready_;
};

// Serialises one event: "event: x\n" when named, one "data: " line per line of
// data, then the blank line that ends it.
void append_sse_event(std::string& out, std::string_view event, std::string_view data);

} // namespace edgeai::codec
