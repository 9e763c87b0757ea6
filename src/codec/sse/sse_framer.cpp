#include "codec/sse/sse_framer.h"

#include <algorithm>
#include <cstring>

namespace edgeai::codec {

void SseFramer::end_line() {
    std::string_view head(line_head_, std::min(line_length_, sizeof line_head_));
    if (line_length_ <= sizeof line_head_ && (head == "data: [DONE]" || head == "data:[DONE]")) {
        saw_done_ = true;
    }
    line_length_ = 0;
}

size_t SseFramer::scan(std::string_view data, size_t from, size_t* event_end) {
    size_t i = from;
    const char* base = data.data();
    while (i < data.size()) {
        if (previous_cr_) {
            previous_cr_ = false;
            if (base[i] == '\n') {
                ++i; // the LF of a CRLF
                if (line_length_ == 0 && *event_end != std::string_view::npos &&
                    *event_end == i - 1) {
                    *event_end = i; // keep the CRLF of a blank line with its event
                }
                continue;
            }
        }
        // Jump to the next line end; SSE allows LF, CRLF and CR.
        const void* lf = std::memchr(base + i, '\n', data.size() - i);
        size_t stop =
            lf == nullptr ? data.size() : static_cast<size_t>(static_cast<const char*>(lf) - base);
        const void* cr = std::memchr(base + i, '\r', stop - i);
        if (cr != nullptr) stop = static_cast<size_t>(static_cast<const char*>(cr) - base);
        // Keep the head of the line to recognise [DONE].
        size_t keep =
            std::min(stop - i, sizeof line_head_ - std::min(line_length_, sizeof line_head_));
        std::memcpy(line_head_ + std::min(line_length_, sizeof line_head_), base + i, keep);
        line_length_ += stop - i;
        if (stop == data.size()) return stop;
        bool blank = line_length_ == 0;
        end_line();
        previous_cr_ = base[stop] == '\r';
        i = stop + 1;
        if (blank) *event_end = i;
    }
    return i;
}

std::string_view SseFramer::feed(std::string_view bytes) {
    if (overflowed_) return {};
    size_t event_end = std::string_view::npos;
    std::string_view complete;
    if (pending_.empty()) {
        // The common case: scan the caller's bytes in place and hand back a view.
        scan(bytes, 0, &event_end);
        size_t done = event_end == std::string_view::npos ? 0 : event_end;
        pending_.assign(bytes.substr(done));
        complete = bytes.substr(0, done);
    } else {
        pending_.append(bytes);
        scan(pending_, scanned_, &event_end);
        if (event_end != std::string_view::npos) {
            out_.assign(pending_, 0, event_end);
            pending_.erase(0, event_end);
            complete = out_;
        }
    }
    scanned_ = pending_.size();
    if (pending_.size() > max_event_bytes_) {
        overflowed_ = true;
        pending_.clear();
    }
    return complete;
}

} // namespace edgeai::codec
