#include "codec/json/json_member_rewrite.h"

#include "codec/json/json_writer.h"

#include <cstdint>

namespace edgeai::codec {
namespace {

class Scanner {
  public:
    explicit Scanner(std::string_view s) : s_(s) {}

    size_t pos() const { return i_; }
    bool at_end() const { return i_ >= s_.size(); }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void skip_space() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    bool consume(char c) {
        skip_space();
        if (peek() != c) return false;
        ++i_;
        return true;
    }

    // A string token; its unescaped text into `out` (\u escapes of ASCII
    // only: a key spelt with others cannot be "model" anyway).
    bool string(std::string* out) {
        skip_space();
        if (peek() != '"') return false;
        ++i_;
        while (i_ < s_.size()) {
            const char c = s_[i_++];
            if (c == '"') return true;
            if (c != '\\') {
                if (out) out->push_back(c);
                continue;
            }
            if (i_ >= s_.size()) return false;
            const char e = s_[i_++];
            switch (e) {
            case 'n':
                if (out) out->push_back('\n');
                break;
            case 't':
                if (out) out->push_back('\t');
                break;
            case 'r':
                if (out) out->push_back('\r');
                break;
            case 'b':
                if (out) out->push_back('\b');
                break;
            case 'f':
                if (out) out->push_back('\f');
                break;
            case 'u': {
                if (i_ + 4 > s_.size()) return false;
                uint32_t code = 0;
                for (int k = 0; k < 4; ++k) {
                    const char h = s_[i_++];
                    code <<= 4;
                    if (h >= '0' && h <= '9')
                        code |= uint32_t(h - '0');
                    else if (h >= 'a' && h <= 'f')
                        code |= uint32_t(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F')
                        code |= uint32_t(h - 'A' + 10);
                    else
                        return false;
                }
                if (out) out->push_back(code < 0x80 ? static_cast<char>(code) : '\x01');
                break;
            }
            default:
                if (out) out->push_back(e);
                break;
            }
        }
        return false;
    }

    // Skips any value: strings, nested arrays and objects, literals, numbers.
    bool value() {
        skip_space();
        const char c = peek();
        if (c == '"') return string(nullptr);
        if (c == '{' || c == '[') {
            int depth = 0;
            while (i_ < s_.size()) {
                const char d = s_[i_];
                if (d == '"') {
                    if (!string(nullptr)) return false;
                    continue;
                }
                ++i_;
                if (d == '{' || d == '[') ++depth;
                if (d == '}' || d == ']') {
                    if (--depth == 0) return true;
                }
            }
            return false;
        }
        const size_t start = i_;
        while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' &&
               s_[i_] != '\n' && s_[i_] != '\r' && s_[i_] != '\t')
            ++i_;
        return i_ > start;
    }

  private:
    std::string_view s_;
    size_t i_ = 0;
};

} // namespace

std::optional<std::string> replace_top_level_string(std::string_view json, std::string_view key,
                                                    std::string_view value) {
    Scanner s(json);
    if (!s.consume('{')) return std::nullopt;
    s.skip_space();
    if (s.peek() == '}') return std::nullopt;
    while (true) {
        std::string name;
        if (!s.string(&name) || !s.consume(':')) return std::nullopt;
        s.skip_space();
        const size_t begin = s.pos();
        if (!s.value()) return std::nullopt;
        const size_t end = s.pos();
        if (name == key) {
            JsonWriter w;
            w.value(value);
            std::string out;
            out.reserve(json.size() + value.size());
            out.append(json.substr(0, begin));
            out.append(w.str());
            out.append(json.substr(end));
            return out;
        }
        if (s.consume(',')) continue;
        return std::nullopt; // '}' or garbage: no such member
    }
}

} // namespace edgeai::codec
