// SseFramer cuts an upstream event stream into whole events without parsing or
// copying them: it finds the blank lines that end events, notices `data: [DONE]`,
// and bounds the size of an unfinished event. The gateway forwards each run of
// complete events byte for byte (comments and keep-alives included), so a
// client sees exactly what the upstream sent, one or more whole events per
// write. SseParser is for code that needs the events' contents.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace edgeai::codec {

class SseFramer {
  public:
    static constexpr size_t kDefaultMaxEventBytes = size_t{1} << 20;

    explicit SseFramer(size_t max_event_bytes = kDefaultMaxEventBytes)
        : max_event_bytes_(max_event_bytes) {}

    // Takes the next piece of the stream and returns the complete events it
    // finishes (possibly none), as a view valid until the next call. When an
    // unfinished event grows past the limit, the events before it are still
    // returned and overflowed() turns true: the stream cannot go on.
    std::string_view feed(std::string_view bytes);
    bool overflowed() const { return overflowed_; }
    size_t max_event_bytes() const { return max_event_bytes_; }

    // A line `data: [DONE]` (OpenAI's end of stream) has been seen.
    bool saw_done() const { return saw_done_; }
    // Nothing of an unfinished event is held back.
    // (A lone line end left over from a CRLF split across reads does not count.)
    bool at_boundary() const {
        return line_length_ == 0 && pending_.find_first_not_of("\r\n") == std::string::npos;
    }

  private:
    // Scans data[from..) for line ends; returns the end of the last complete event.
    size_t scan(std::string_view data, size_t from, size_t* event_end);
    void end_line();

    size_t max_event_bytes_;
    std::string pending_;      // bytes of the unfinished event (and what follows it)
    size_t scanned_ = 0;       // how much of pending_ has been scanned
    size_t line_length_ = 0;   // bytes of the current line so far
    char line_head_[16] = {};  // its first bytes, enough to recognise [DONE]
    bool previous_cr_ = false; // the last line ended in CR: a following LF is its partner
    bool saw_done_ = false;
    bool overflowed_ = false;
    std::string out_;
};

} // namespace edgeai::codec
