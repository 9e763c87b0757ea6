#include "codec/sse/sse_parser.h"

#include <utility>

namespace edgeai::codec {

core::Status SseParser::feed(std::string_view bytes) {
    if (failed_) return core::data_loss("event stream already failed");
    size_t start = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
        char c = bytes[i];
        if (c != '\n' && c != '\r') continue;
        if (c == '\n' && last_was_cr_ && i == start && line_.empty()) {
            // The LF of a CRLF whose CR ended the previous piece or line.
            last_was_cr_ = false;
            start = i + 1;
            continue;
        }
        line_.append(bytes.data() + start, i - start);
        process_line(line_);
        line_.clear();
        last_was_cr_ = (c == '\r');
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
            ++i;
            last_was_cr_ = false;
        }
        start = i + 1;
    }
    if (start < bytes.size()) {
        line_.append(bytes.data() + start, bytes.size() - start);
        last_was_cr_ = false;
    }
    if (line_.size() + pending_.data.size() > max_event_bytes_) {
        failed_ = true;
        return core::data_loss("an event in the stream is larger than " +
                               std::to_string(max_event_bytes_) + " bytes");
    }
    return {};
}

void SseParser::process_line(std::string_view line) {
    if (line.empty()) {
        dispatch();
        return;
    }
    if (line.front() == ':') return; // comment, used as keep-alive
    std::string_view field = line;
    std::string_view value;
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
        if (has_data_) pending_.data.push_back('\n');
        pending_.data.append(value);
        has_data_ = true;
    } else if (field == "event") {
        pending_.event.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) pending_.id.assign(value);
    }
    // "retry" and unknown fields are ignored, as the format requires.
}

void SseParser::dispatch() {
    if (has_data_) {
        ready_.push_back(std::move(pending_));
    }
    pending_ = SseEvent{};
    has_data_ = false;
}

bool SseParser::next(SseEvent& out) {
    if (ready_.empty()) return false;
    out = std::move(ready_.front());
    ready_.pop_front();
    return true;
}

void append_sse_event(std::string& out, std::string_view event, std::string_view data) {
    if (!event.empty()) {
        out += "event: ";
        out += event;
        out += '\n';
    }
    size_t start = 0;
    while (true) {
        size_t nl = data.find('\n', start);
        out += "data: ";
        out.append(data.substr(start, nl == std::string_view::npos ? nl : nl - start));
        out += '\n';
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    out += '\n';
}

} // namespace edgeai::codec
