#include "api/token_usage.h"

namespace edgeai::api {
namespace {

// Answers are read on every proxied request, so usage is found by scanning
// rather than by building a document (a DOM parse of a chat completion cost
// 18k instructions, the whole proxied request 85k). The bytes are valid JSON
// already (checked before they are passed on), which is what makes the scan
// sound: an unescaped `"usage"` followed by `:` can only be a key.
class Scanner {
  public:
    explicit Scanner(std::string_view s) : s_(s) {}

    void skip_space() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
            ++i_;
    }
    bool eat(char c) {
        skip_space();
        if (i_ >= s_.size() || s_[i_] != c) return false;
        ++i_;
        return true;
    }
    bool at(char c) {
        skip_space();
        return i_ < s_.size() && s_[i_] == c;
    }
    // A key without escapes (every usage key is plain ASCII); false otherwise.
    bool key(std::string_view& out) {
        if (!eat('"')) return false;
        const size_t start = i_;
        while (i_ < s_.size() && s_[i_] != '"') {
            if (s_[i_] == '\\') return false;
            ++i_;
        }
        if (i_ >= s_.size()) return false;
        out = s_.substr(start, i_ - start);
        ++i_;
        return true;
    }
    // A non-negative integer value; false for anything else (skipped instead).
    bool integer(int64_t& out) {
        skip_space();
        if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return false;
        int64_t v = 0;
        const size_t start = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < 18) {
            v = v * 10 + (s_[i_] - '0');
            ++i_;
        }
        // A fraction, an exponent or more digits than any token count: not
        // a count; left for skip_value.
        if (i_ < s_.size() &&
            ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) {
            i_ = start;
            return false;
        }
        out = v;
        return true;
    }
    // Skips one value of any kind; false when the bytes end first.
    bool skip_value() {
        skip_space();
        int depth = 0;
        bool in_string = false;
        for (; i_ < s_.size(); ++i_) {
            const char c = s_[i_];
            if (in_string) {
                if (c == '\\')
                    ++i_;
                else if (c == '"')
                    in_string = false;
                else
                    continue;
                if (depth == 0 && !in_string) {
                    ++i_;
                    return true;
                }
                continue;
            }
            if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (depth == 0) return true; // the end of the enclosing object
                if (--depth == 0) {
                    ++i_;
                    return true;
                }
            } else if (depth == 0 && (c == ',')) {
                return true;
            }
        }
        return false;
    }

  private:
    std::string_view s_;
    size_t i_ = 0;
};

// The start of the value of the last unescaped `"usage"` key, or npos.
size_t last_usage_value(std::string_view json) {
    constexpr std::string_view kKey = "\"usage\"";
    size_t pos = json.size();
    while (pos > 0) {
        pos = json.rfind(kKey, pos - 1);
        if (pos == std::string_view::npos) return pos;
        if (pos > 0 && json[pos - 1] == '\\') continue; // inside a string
        size_t j = pos + kKey.size();
        while (j < json.size() &&
               (json[j] == ' ' || json[j] == '\n' || json[j] == '\r' || json[j] == '\t'))
            ++j;
        if (j < json.size() && json[j] == ':') return j + 1;
    }
    return std::string_view::npos;
}

// The value of the last unescaped key `"name":` (no space before the colon,
// as Ollama answers are written here), or -1.
int64_t last_count(std::string_view json, std::string_view quoted_key) {
    size_t pos = json.size();
    while (pos > 0) {
        pos = json.rfind(quoted_key, pos - 1);
        if (pos == std::string_view::npos) return -1;
        if (pos > 0 && json[pos - 1] == '\\') continue; // inside a string
        Scanner in(json.substr(pos + quoted_key.size()));
        int64_t n = 0;
        return in.eat(':') && in.integer(n) ? n : -1;
    }
    return -1;
}

// Ollama's answers have no usage object: the final one counts the prompt in
// prompt_eval_count and the output in eval_count.
void read_ollama_counts(std::string_view json, TokenUsage& usage) {
    const int64_t prompt = last_count(json, "\"prompt_eval_count\"");
    const int64_t completion = last_count(json, "\"eval_count\"");
    if (prompt >= 0) usage.prompt_tokens = prompt;
    if (completion >= 0) usage.completion_tokens = completion;
    if (prompt >= 0 || completion >= 0) usage.found = true;
}

} // namespace

void read_token_usage(std::string_view json, TokenUsage& usage) {
    const size_t value = last_usage_value(json);
    if (value == std::string_view::npos) {
        read_ollama_counts(json, usage);
        return;
    }
    Scanner in(json.substr(value));
    if (!in.eat('{')) return; // null: a chunk before the usage chunk
    int64_t prompt = -1, completion = -1, input = -1, output = -1, cached = 0;
    while (!in.at('}')) {
        std::string_view name;
        if (!in.key(name) || !in.eat(':')) return;
        int64_t n = 0;
        const bool is_number = in.integer(n);
        if (!is_number && !in.skip_value()) return;
        if (is_number) {
            if (name == "prompt_tokens")
                prompt = n;
            else if (name == "completion_tokens")
                completion = n;
            else if (name == "input_tokens")
                input = n;
            else if (name == "output_tokens")
                output = n;
            // Anthropic counts cached prompt tokens apart; they are prompt tokens too.
            else if (name == "cache_creation_input_tokens" || name == "cache_read_input_tokens")
                cached += n;
        }
        if (!in.eat(',')) break;
    }
    if (prompt >= 0) usage.prompt_tokens = prompt;
    if (input >= 0) usage.prompt_tokens = input + cached;
    if (completion >= 0) usage.completion_tokens = completion;
    if (output >= 0) usage.completion_tokens = output;
    if (prompt >= 0 || input >= 0 || completion >= 0 || output >= 0) usage.found = true;
}

void read_token_usage_in_events(std::string_view events, TokenUsage& usage) {
    constexpr std::string_view kData = "data:";
    size_t pos = 0;
    // Ollama's final object names its counts `eval_count`, not `usage`.
    const std::string_view mention =
        events.find("eval_count\"") != std::string_view::npos ? "eval_count\"" : "usage";
    while ((pos = events.find(mention, pos)) != std::string_view::npos) {
        // The data line this mention is on.
        size_t start = events.rfind('\n', pos);
        start = start == std::string_view::npos ? 0 : start + 1;
        size_t end = events.find('\n', pos);
        if (end == std::string_view::npos) end = events.size();
        std::string_view line = events.substr(start, end - start);
        if (line.substr(0, kData.size()) == kData) {
            line.remove_prefix(kData.size());
            if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            read_token_usage(line, usage);
        }
        pos = end;
    }
}

} // namespace edgeai::api
