#include "codec/resp/resp.h"

#include <charconv>

namespace edgeai::codec::resp {

namespace {

void append_bulk(std::string& out, std::string_view arg) {
    out += '$';
    out += std::to_string(arg.size());
    out += "\r\n";
    out += arg;
    out += "\r\n";
}

// A RESP integer: an optional '-' and at most 19 digits, nothing else.
bool parse_integer(std::string_view text, int64_t& value) {
    if (text.empty() || text.size() > 20) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

void append_command(std::string& out, std::initializer_list<std::string_view> args) {
    out += '*';
    out += std::to_string(args.size());
    out += "\r\n";
    for (std::string_view a : args)
        append_bulk(out, a);
}

void append_command(std::string& out, const std::vector<std::string>& args) {
    out += '*';
    out += std::to_string(args.size());
    out += "\r\n";
    for (const std::string& a : args)
        append_bulk(out, a);
}

void ReplyReader::feed(std::string_view bytes) {
    // Compact once the consumed front is most of the buffer, so a long-lived
    // connection's buffer holds only what is not yet read.
    if (at_ > 0 && at_ * 2 >= buffer_.size()) {
        buffer_.erase(0, at_);
        at_ = 0;
    }
    buffer_.append(bytes);
}

ReplyReader::Step ReplyReader::read_line(size_t& pos, std::string_view& line,
                                         std::string& why) const {
    const size_t end = buffer_.find("\r\n", pos);
    if (end == std::string::npos) {
        if (buffer_.size() - pos > limits_.max_line_bytes) {
            why = "a reply line longer than " + std::to_string(limits_.max_line_bytes) + " bytes";
            return Step::kBad;
        }
        return Step::kNeedMore;
    }
    if (end - pos > limits_.max_line_bytes) {
        why = "a reply line longer than " + std::to_string(limits_.max_line_bytes) + " bytes";
        return Step::kBad;
    }
    line = std::string_view(buffer_).substr(pos, end - pos);
    pos = end + 2;
    return Step::kDone;
}

ReplyReader::Step ReplyReader::parse(size_t& pos, Reply& out, int depth, std::string& why) {
    if (pos >= buffer_.size()) return Step::kNeedMore;
    const size_t start = pos;
    const char kind = buffer_[pos];
    ++pos;
    std::string_view line;
    if (Step s = read_line(pos, line, why); s != Step::kDone) return s;
    switch (kind) {
    case '+':
    case '-':
        out.type = kind == '+' ? ReplyType::kSimple : ReplyType::kError;
        out.text.assign(line);
        return Step::kDone;
    case ':':
        out.type = ReplyType::kInteger;
        if (parse_integer(line, out.integer)) return Step::kDone;
        why = "an integer reply that is not a number";
        return Step::kBad;
    case '$': {
        int64_t n = 0;
        if (!parse_integer(line, n) || n < -1) {
            why = "a bulk string length that is not a number";
            return Step::kBad;
        }
        if (n == -1) {
            out.type = ReplyType::kNull;
            return Step::kDone;
        }
        if (static_cast<uint64_t>(n) > limits_.max_bulk_bytes) {
            why = "a bulk string of " + std::to_string(n) + " bytes (at most " +
                  std::to_string(limits_.max_bulk_bytes) + ")";
            return Step::kBad;
        }
        const auto size = static_cast<size_t>(n);
        if (buffer_.size() - pos < size + 2) return Step::kNeedMore;
        if (buffer_[pos + size] != '\r' || buffer_[pos + size + 1] != '\n') {
            why = "a bulk string not followed by CRLF";
            return Step::kBad;
        }
        out.type = ReplyType::kBulk;
        out.text.assign(buffer_, pos, size);
        pos += size + 2;
        return Step::kDone;
    }
    case '*': {
        int64_t n = 0;
        if (!parse_integer(line, n) || n < -1) {
            why = "an array length that is not a number";
            return Step::kBad;
        }
        if (n == -1) {
            out.type = ReplyType::kNull;
            return Step::kDone;
        }
        if (static_cast<uint64_t>(n) > limits_.max_elements) {
            why = "an array of " + std::to_string(n) + " elements (at most " +
                  std::to_string(limits_.max_elements) + ")";
            return Step::kBad;
        }
        if (depth >= limits_.max_depth) {
            why = "arrays nested deeper than " + std::to_string(limits_.max_depth);
            return Step::kBad;
        }
        out.type = ReplyType::kArray;
        out.elements.clear();
        // Grown as elements arrive, not reserved from the count the wire gave.
        for (int64_t i = 0; i < n; ++i) {
            Reply element;
            if (Step s = parse(pos, element, depth + 1, why); s != Step::kDone) return s;
            out.elements.push_back(std::move(element));
        }
        return Step::kDone;
    }
    default:
        why = "a reply starting with byte " + std::to_string(static_cast<uint8_t>(kind)) +
              " at offset " + std::to_string(start - at_) + " (RESP2 starts with + - : $ *)";
        return Step::kBad;
    }
}

core::Result<bool> ReplyReader::next(Reply& out) {
    size_t pos = at_;
    std::string why;
    Reply reply;
    switch (parse(pos, reply, 0, why)) {
    case Step::kDone:
        at_ = pos;
        out = std::move(reply);
        return true;
    case Step::kNeedMore:
        return false;
    case Step::kBad:
        break;
    }
    return core::data_loss("redis: the server sent " + why +
                           "; is redis_url pointing at a Redis server?");
}

} // namespace edgeai::codec::resp
