#include "core/config/toml_ascii.h"

#include "core/utf8.h"

#include <cstdint>
#include <cstdio>

namespace edgeai::core {

namespace {

void append_escape(std::string& out, uint32_t code_point) {
    char buf[16];
    if (code_point <= 0xFFFF) {
        std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(code_point));
    } else {
        std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(code_point));
    }
    out += buf;
}

size_t count_run(std::string_view text, size_t i, char c) {
    size_t n = 0;
    while (i + n < text.size() && text[i + n] == c)
        ++n;
    return n;
}

enum class State { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };

} // namespace

Result<std::string> toml_to_ascii(std::string_view text, std::string_view file_name) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    State state = State::kCode;
    size_t line = 1;
    auto error = [&](std::string_view what) {
        return invalid_argument(std::string(file_name) + ":" + std::to_string(line) +
                                ": not valid TOML: " + std::string(what));
    };
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            uint32_t code_point = 0;
            size_t length = decode_utf8(text, i, &code_point);
            if (length == 0) return error("invalid UTF-8");
            switch (state) {
            case State::kCode:
                return error("a non-ASCII character outside a string or comment; quote keys "
                             "that need one");
            case State::kComment:
                out.push_back(' ');
                break;
            default:
                append_escape(out, code_point);
                break;
            }
            i += length;
            continue;
        }
        if (c == '\n') {
            ++line;
            if (state != State::kMultiBasic && state != State::kMultiLiteral) {
                state = State::kCode; // single-line strings and comments end here
            }
            out.push_back(c);
            ++i;
            continue;
        }
        switch (state) {
        case State::kCode:
            if (c == '#') {
                state = State::kComment;
                out.push_back(c);
            } else if (c == '"' && count_run(text, i, '"') >= 3) {
                state = State::kMultiBasic;
                out += "\"\"\"";
                i += 3;
                continue;
            } else if (c == '\'' && count_run(text, i, '\'') >= 3) {
                state = State::kMultiLiteral;
                out += "\"\"\"";
                i += 3;
                continue;
            } else if (c == '"') {
                state = State::kBasic;
                out.push_back(c);
            } else if (c == '\'') {
                state = State::kLiteral;
                out.push_back('"');
            } else {
                out.push_back(c);
            }
            break;
        case State::kComment:
            out.push_back(c);
            break;
        case State::kBasic:
        case State::kMultiBasic:
            if (c == '\\') {
                // An escape: the next character belongs to it, and must be ASCII.
                out.push_back(c);
                if (i + 1 < text.size()) {
                    char next = text[i + 1];
                    if (static_cast<unsigned char>(next) >= 0x80) return error("invalid escape");
                    if (next == '\n') ++line;
                    out.push_back(next);
                    i += 2;
                    continue;
                }
            } else if (c == '"' && state == State::kBasic) {
                state = State::kCode;
                out.push_back(c);
            } else if (c == '"') {
                // Up to two quotes may precede the closing three.
                size_t run = count_run(text, i, '"');
                out.append(run, '"');
                if (run >= 3) state = State::kCode;
                i += run;
                continue;
            } else {
                out.push_back(c);
            }
            break;
        case State::kLiteral:
        case State::kMultiLiteral:
            if (c == '\\') {
                out += "\\\\";
            } else if (c == '"') {
                out += "\\\"";
            } else if (c == '\'' && state == State::kLiteral) {
                state = State::kCode;
                out.push_back('"');
            } else if (c == '\'') {
                size_t run = count_run(text, i, '\'');
                if (run >= 3) {
                    out.append(run - 3, '\'');
                    out += "\"\"\"";
                    state = State::kCode;
                } else {
                    out.append(run, '\'');
                }
                i += run;
                continue;
            } else {
                out.push_back(c);
            }
            break;
        }
        ++i;
    }
    return out;
}

} // namespace edgeai::core
