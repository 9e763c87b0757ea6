#include "codec/msgpack/msgpack_json.h"

#include "codec/base64/base64.h"
#include "codec/json/json_validator.h"
#include "codec/json/json_writer.h"
#include "codec/msgpack/msgpack_writer.h"
#include "core/utf8.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <vector>

namespace edgeai::codec {
namespace {

// Where the converter is, as "$.messages[0].content", for errors.
struct Level {
    bool is_map;
    uint32_t index;       // element, or pair
    std::string_view key; // the current pair's key (maps)
    bool at_key;          // a map's next item is a key
};

std::string path_of(const std::vector<Level>& levels) {
    std::string p = "$";
    for (const Level& l : levels) {
        if (l.is_map) {
            p += '.';
            p.append(l.key);
        } else {
            p += '[' + std::to_string(l.index) + ']';
        }
    }
    return p;
}

class Converter {
  public:
    Converter(std::string_view input, const MsgpackToJsonOptions& options)
        : reader_(input, options.limits), tag_(options.tag_other_types) {}

    core::Result<std::string> run() {
        while (!reader_.value_done()) {
            MsgpackItem item;
            EDGEAI_TRY(reader_.next(item));
            EDGEAI_TRY(place(item));
        }
        if (reader_.remaining() != 0)
            return core::invalid_argument("MessagePack body has " +
                                          std::to_string(reader_.remaining()) +
                                          " bytes after its value");
        return std::move(out_);
    }

  private:
    core::Status refuse(const std::string& what) {
        return core::invalid_argument(what + " at " + path_of(levels_) + " has no JSON form");
    }

    // Writes one item where the structure says it goes.
    core::Status place(const MsgpackItem& item) {
        if (!levels_.empty() && levels_.back().is_map && levels_.back().at_key)
            return write_key(item);
        return write_value(item);
    }

    core::Status write_key(const MsgpackItem& item) {
        Level& l = levels_.back();
        l.at_key = false;
        if (item.type == MsgpackType::kStr) {
            if (!core::is_valid_utf8(item.bytes))
                return refuse("a map key that is not valid UTF-8");
            l.key = item.bytes; // a view into the input, which outlives this
        } else if (tag_ && item.type != MsgpackType::kArray && item.type != MsgpackType::kMap) {
            std::string text;
            JsonWriter w(&text);
            EDGEAI_TRY(scalar(w, item));
            l.key = tagged_keys_.emplace_back(std::move(text));
        } else {
            return refuse("a map key that is not a string");
        }
        w_.key(l.key);
        return {};
    }

    core::Status write_value(const MsgpackItem& item) {
        if (item.type == MsgpackType::kArray || item.type == MsgpackType::kMap) {
            const bool is_map = item.type == MsgpackType::kMap;
            if (is_map)
                w_.begin_object();
            else
                w_.begin_array();
            if (item.count == 0) {
                if (is_map)
                    w_.end_object();
                else
                    w_.end_array();
                return finish_value();
            }
            levels_.push_back({is_map, 0, {}, is_map});
            remaining_.push_back(item.count);
            return {};
        }
        EDGEAI_TRY(scalar(w_, item));
        return finish_value();
    }

    // A value ended: advance the container around it, closing those done.
    core::Status finish_value() {
        while (!levels_.empty()) {
            Level& l = levels_.back();
            if (--remaining_.back() > 0) {
                ++l.index;
                l.at_key = l.is_map;
                return {};
            }
            if (l.is_map)
                w_.end_object();
            else
                w_.end_array();
            levels_.pop_back();
            remaining_.pop_back();
        }
        return {};
    }

    core::Status scalar(JsonWriter& w, const MsgpackItem& item) {
        switch (item.type) {
        case MsgpackType::kNil:
            w.null();
            return {};
        case MsgpackType::kBool:
            w.value(item.boolean);
            return {};
        case MsgpackType::kInt:
            w.value(item.i);
            return {};
        case MsgpackType::kUint:
            w.value(item.u);
            return {};
        case MsgpackType::kFloat32:
        case MsgpackType::kFloat64:
            if (std::isfinite(item.f)) {
                w.value(item.f);
                return {};
            }
            if (!tag_) return refuse("a NaN or infinite float");
            w.begin_object()
                .field("$float", std::isnan(item.f) ? "nan"
                                 : item.f > 0       ? "inf"
                                                    : "-inf")
                .end_object();
            return {};
        case MsgpackType::kStr:
            if (!core::is_valid_utf8(item.bytes)) return refuse("a str that is not valid UTF-8");
            w.value(item.bytes);
            return {};
        case MsgpackType::kBin: {
            if (!tag_) return refuse("bin");
            std::string b64;
            append_base64(b64, item.bytes);
            w.begin_object().field("$bin", std::string_view(b64)).end_object();
            return {};
        }
        case MsgpackType::kExt: {
            if (!tag_) return refuse("an extension type");
            if (item.ext_type == -1) {
                auto t = decode_timestamp(item);
                if (!t.ok()) return t.status();
                w.begin_object().key("$timestamp").begin_object();
                w.field("seconds", t->seconds).field("nanoseconds", int64_t{t->nanoseconds});
                w.end_object().end_object();
                return {};
            }
            std::string b64;
            append_base64(b64, item.bytes);
            w.begin_object().field("$ext", int64_t{item.ext_type});
            w.field("data", std::string_view(b64)).end_object();
            return {};
        }
        case MsgpackType::kArray:
        case MsgpackType::kMap:
            break;
        }
        return refuse("a container");
    }

    MsgpackReader reader_;
    bool tag_;
    std::string out_;
    JsonWriter w_{&out_};
    std::vector<Level> levels_;
    std::vector<uint32_t> remaining_;
    // Non-string keys written as JSON text (tagged mode); a deque, so the
    // views in levels_ stay valid as it grows.
    std::deque<std::string> tagged_keys_;
};

} // namespace

core::Result<std::string> msgpack_to_json(std::string_view msgpack,
                                          const MsgpackToJsonOptions& options) {
    Converter c(msgpack, options);
    return c.run();
}

namespace {

uint32_t hex4(std::string_view s, size_t at) {
    uint32_t v = 0;
    for (size_t i = at; i < at + 4; ++i) {
        const char c = s[i];
        v = v * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

// Over text check_json accepted: each token is well formed, so the cursor
// only finds where tokens end.
struct JsonCursor {
    std::string_view t;
    size_t at = 0;

    char peek() {
        while (at < t.size() && (t[at] == ' ' || t[at] == '\t' || t[at] == '\n' || t[at] == '\r'))
            ++at;
        return at < t.size() ? t[at] : '\0';
    }
    // The string at the cursor, unescaped into *out (null: skipped).
    void string(std::string* out) {
        ++at; // the opening quote
        while (t[at] != '"') {
            if (t[at] != '\\') {
                const size_t run = at;
                while (t[at] != '"' && t[at] != '\\')
                    ++at;
                if (out != nullptr) out->append(t.substr(run, at - run));
                continue;
            }
            const char e = t[at + 1];
            at += 2;
            if (out == nullptr) {
                if (e == 'u') at += 4;
                continue;
            }
            switch (e) {
            case 'b':
                *out += '\b';
                break;
            case 'f':
                *out += '\f';
                break;
            case 'n':
                *out += '\n';
                break;
            case 'r':
                *out += '\r';
                break;
            case 't':
                *out += '\t';
                break;
            case 'u': {
                uint32_t cp = hex4(t, at);
                at += 4;
                // A high surrogate followed by \uDC00-\uDFFF is one code point;
                // a lone surrogate has no UTF-8 and becomes U+FFFD.
                if (cp >= 0xd800 && cp < 0xdc00 && at + 6 <= t.size() && t[at] == '\\' &&
                    t[at + 1] == 'u') {
                    const uint32_t low = hex4(t, at + 2);
                    if (low >= 0xdc00 && low < 0xe000) {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                        at += 6;
                    }
                }
                if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
                core::append_utf8(*out, cp);
                break;
            }
            default:
                *out += e; // " \\ /
            }
        }
        ++at; // the closing quote
    }
    std::string_view number() {
        const size_t from = at;
        while (at < t.size() && (std::isdigit(static_cast<unsigned char>(t[at])) || t[at] == '-' ||
                                 t[at] == '+' || t[at] == '.' || t[at] == 'e' || t[at] == 'E'))
            ++at;
        return t.substr(from, at - from);
    }
};

// A JSON number as MessagePack: integral values that fit int64 (or, written
// as integers, uint64) take an integer form whatever their spelling ("1.0",
// "1e3"), as a JSON parser that yields numbers would see them; the rest is a
// float64 correctly rounded from the text.
void write_number(MsgpackWriter& w, std::string_view text) {
    const bool integer_literal = text.find_first_of(".eE") == std::string_view::npos;
    if (integer_literal) {
        int64_t i = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), i);
        if (r.ec == std::errc()) {
            w.integer(i);
            return;
        }
        uint64_t u = 0;
        r = std::from_chars(text.data(), text.data() + text.size(), u);
        if (r.ec == std::errc()) {
            w.uinteger(u);
            return;
        }
    }
    const std::string copy(text); // strtod needs a terminator
    const double d = std::strtod(copy.c_str(), nullptr);
    constexpr double kTwo63 = 9223372036854775808.0;
    if (d == std::trunc(d) && d >= -kTwo63 && d < kTwo63 && !(d == 0 && std::signbit(d))) {
        w.integer(static_cast<int64_t>(d));
        return;
    }
    w.float64(d);
}

} // namespace

core::Result<std::string> json_to_msgpack(std::string_view json,
                                          const JsonToMsgpackOptions& options) {
    const JsonLimits& limits = options.limits;
    const JsonCheck check = check_json(json, limits.max_depth);
    if (!check.valid) {
        // The parser words the error (and the depth) precisely.
        auto doc = JsonDocument::parse(json, limits);
        return doc.ok() ? core::invalid_argument("invalid JSON") : doc.status();
    }
    // MessagePack puts a container's size before its elements: a first pass
    // counts each container's elements (in the order they open), the second
    // writes.
    std::vector<uint32_t> counts;
    {
        std::vector<size_t> open; // indexes into counts
        bool fresh = false;       // the innermost container has no element yet
        JsonCursor c{json};
        for (char ch = c.peek(); ch != '\0'; ch = c.peek()) {
            if (fresh && ch != ']' && ch != '}') {
                counts[open.back()] = 1;
                fresh = false;
            }
            switch (ch) {
            case '[':
            case '{':
                open.push_back(counts.size());
                counts.push_back(0);
                fresh = true;
                ++c.at;
                break;
            case ']':
            case '}':
                open.pop_back();
                fresh = false;
                ++c.at;
                break;
            case ',':
                ++counts[open.back()];
                ++c.at;
                break;
            case ':':
                ++c.at;
                break;
            case '"':
                c.string(nullptr);
                break;
            case 't':
            case 'n':
                c.at += 4;
                break;
            case 'f':
                c.at += 5;
                break;
            default:
                c.number();
            }
        }
    }
    std::string out;
    MsgpackWriter w(&out);
    JsonCursor c{json};
    size_t container = 0;
    std::string text;
    int depth = 0;
    int float32_depth = -1;    // inside an array of float32s at this depth
    bool float32_next = false; // the member just named takes float32s
    for (char ch = c.peek(); ch != '\0'; ch = c.peek()) {
        switch (ch) {
        case '[':
            w.array(counts[container++]);
            ++c.at;
            ++depth;
            if (float32_next) float32_depth = depth;
            float32_next = false;
            break;
        case '{':
            w.map(counts[container++]);
            ++c.at;
            ++depth;
            float32_next = false;
            break;
        case ']':
        case '}':
            if (depth == float32_depth) float32_depth = -1;
            --depth;
            ++c.at;
            break;
        case ',':
            ++c.at;
            break;
        case ':':
            ++c.at;
            break;
        case '"':
            text.clear();
            c.string(&text);
            w.str(text);
            // A key (a colon follows) names the value after it.
            float32_next = !options.float32_arrays_of.empty() && c.peek() == ':' &&
                           text == options.float32_arrays_of;
            break;
        case 't':
            w.boolean(true);
            c.at += 4;
            float32_next = false;
            break;
        case 'f':
            w.boolean(false);
            c.at += 5;
            float32_next = false;
            break;
        case 'n':
            w.nil();
            c.at += 4;
            float32_next = false;
            break;
        default:
            if (depth == float32_depth) {
                const std::string number(c.number());
                w.float32(std::strtof(number.c_str(), nullptr));
            } else {
                write_number(w, c.number());
            }
            float32_next = false;
        }
    }
    return out;
}

} // namespace edgeai::codec
