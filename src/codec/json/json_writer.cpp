#include "codec/json/json_writer.h"

#include "core/decimal.h"
#include "core/hex.h"
#include "core/utf8.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace edgeai::codec {

namespace {

// Printable ASCII other than the quote and the backslash.
bool needs_no_escape(unsigned char c) {
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    size_t i = 0;
    while (i < s.size()) {
        // Most text needs no escape: copy each such run in one append.
        size_t plain = i;
        while (plain < s.size() && needs_no_escape(static_cast<unsigned char>(s[plain])))
            ++plain;
        if (plain > i) {
            out.append(s.data() + i, plain - i);
            i = plain;
            if (i == s.size()) break;
        }
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            uint32_t code_point = 0;
            size_t len = core::decode_utf8(s, i, &code_point);
            if (len == 0) {
                out += "\xEF\xBF\xBD";
                ++i;
            } else {
                out.append(s.data() + i, len);
                i += len;
            }
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (c < 0x20) {
                char escape[6] = {'\\', 'u', '0', '0'};
                core::write_hex_byte(c, escape + 4);
                out.append(escape, sizeof escape);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
        ++i;
    }
    out.push_back('"');
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (depth_ > 0) {
        uint64_t bit = uint64_t{1} << ((depth_ - 1) & 63);
        if (has_item_ & bit) out_->push_back(',');
        has_item_ |= bit;
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_->push_back('{');
    ++depth_;
    has_item_ &= ~(uint64_t{1} << ((depth_ - 1) & 63));
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    out_->push_back('}');
    --depth_;
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_->push_back('[');
    ++depth_;
    has_item_ &= ~(uint64_t{1} << ((depth_ - 1) & 63));
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    out_->push_back(']');
    --depth_;
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    before_value();
    append_json_string(*out_, name);
    out_->push_back(':');
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    append_json_string(*out_, s);
    return *this;
}

JsonWriter& JsonWriter::value(int64_t n) {
    before_value();
    *out_ += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t n) {
    before_value();
    *out_ += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    before_value();
    if (!std::isfinite(d)) {
        *out_ += "null"; // JSON has no NaN or infinity
        return *this;
    }
    // Whole numbers (token counts, a zero cost) print as %g would print them,
    // without the round trips through snprintf and strtod below.
    if (d == std::trunc(d) && std::fabs(d) < 1e6) {
        if (d == 0 && std::signbit(d)) *out_ += '-';
        *out_ += std::to_string(static_cast<int64_t>(d));
        return *this;
    }
    core::append_shortest(*out_, d);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    *out_ += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    *out_ += "null";
    return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
    before_value();
    out_->append(json);
    return *this;
}

} // namespace edgeai::codec
