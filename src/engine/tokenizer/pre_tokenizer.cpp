#include "engine/tokenizer/pre_tokenizer.h"

#include "core/utf8.h"
#include "engine/tokenizer/unicode_tables.h"

#include <string>

namespace edgeai::engine::tokenizer {

namespace {

struct NamedRules {
    std::string_view name;
    PreTokenizerInfo info;
};

// Families whose regexes are the same as one of ours (llama.cpp's
// llama-vocab.cpp groups them the same way).
constexpr NamedRules kNames[] = {
    {"gpt-2", {PreTokenizer::kGpt2, false, false}},
    {"phi-2", {PreTokenizer::kGpt2, false, false}},
    {"mpt", {PreTokenizer::kGpt2, false, false}},
    {"olmo", {PreTokenizer::kGpt2, false, false}},
    {"jais", {PreTokenizer::kGpt2, false, false}},
    {"trillion", {PreTokenizer::kGpt2, false, false}},
    {"granite-docling", {PreTokenizer::kGpt2, false, false}},
    {"exaone4", {PreTokenizer::kGpt2, false, false}},
    {"gigachat", {PreTokenizer::kGpt2, false, false}},
    {"a.x-4.0", {PreTokenizer::kGpt2, false, false}},
    {"mellum", {PreTokenizer::kGpt2, false, false}},
    {"llama3", {PreTokenizer::kLlama3, true, true}},
    {"llama-v3", {PreTokenizer::kLlama3, true, true}},
    {"llama-bpe", {PreTokenizer::kLlama3, true, true}},
    {"falcon3", {PreTokenizer::kLlama3, true, true}},
    {"falcon-h1", {PreTokenizer::kLlama3, true, true}},
    {"pixtral", {PreTokenizer::kLlama3, true, true}},
    {"midm-2.0", {PreTokenizer::kLlama3, true, true}},
    {"lfm2", {PreTokenizer::kLlama3, true, true}},
    {"dbrx", {PreTokenizer::kLlama3, false, false}},
    {"smaug-bpe", {PreTokenizer::kLlama3, false, false}},
    {"qwen2", {PreTokenizer::kQwen2, false, false}},
    {"deepseek-r1-qwen", {PreTokenizer::kQwen2, false, false}},
    {"stablelm2", {PreTokenizer::kQwen2, false, false}},
    {"hunyuan", {PreTokenizer::kQwen2, false, false}},
    {"megrez", {PreTokenizer::kQwen2, false, false}},
    {"kormo", {PreTokenizer::kQwen2, false, false}},
    {"solar-open", {PreTokenizer::kQwen2, false, false}},
    {"grok-2", {PreTokenizer::kQwen2, false, false}},
    {"starcoder", {PreTokenizer::kStarCoder, false, false}},
    {"refact", {PreTokenizer::kStarCoder, false, false}},
    {"command-r", {PreTokenizer::kStarCoder, false, false}},
    {"smollm", {PreTokenizer::kStarCoder, false, false}},
    {"codeshell", {PreTokenizer::kStarCoder, false, false}},
    {"exaone", {PreTokenizer::kStarCoder, false, false}},
    {"minerva-7b", {PreTokenizer::kStarCoder, false, false}},
};

// Bytes that are not UTF-8 become these code points: past U+10FFFF, so they
// equal no character a rule looks for, and their class is "other".
constexpr uint32_t kInvalidByteBase = 0x110000;

// The text as code points, with where each starts; the matchers work on these.
class Chars {
  public:
    explicit Chars(std::string_view text) {
        starts_.reserve(text.size() + 1);
        code_points_.reserve(text.size());
        classes_.reserve(text.size());
        size_t at = 0;
        while (at < text.size()) {
            uint32_t cp = 0;
            size_t length = core::decode_utf8(text, at, &cp);
            if (length == 0) {
                cp = kInvalidByteBase + static_cast<uint8_t>(text[at]);
                length = 1;
            }
            starts_.push_back(at);
            code_points_.push_back(cp);
            classes_.push_back(char_class(cp));
            at += length;
        }
        starts_.push_back(text.size());
    }

    size_t size() const { return code_points_.size(); }
    uint32_t cp(size_t i) const { return code_points_[i]; }
    CharClass cls(size_t i) const { return classes_[i]; }
    size_t byte_start(size_t i) const { return starts_[i]; }

  private:
    std::vector<size_t> starts_;
    std::vector<uint32_t> code_points_;
    std::vector<CharClass> classes_;
};

uint32_t ascii_lower(uint32_t cp) {
    return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
}

bool is_cr_or_lf(uint32_t cp) {
    return cp == '\r' || cp == '\n';
}

// Splits chars [begin, end) of one segment; nothing past `end` is looked at, as
// a regex run on the segment alone would not see it.
class Matcher {
  public:
    Matcher(const Chars& chars, std::string_view text, std::vector<std::string_view>& words)
        : chars_(chars), text_(text), words_(words) {}

    void gpt2(size_t begin, size_t end) {
        size_t pos = begin;
        while (pos < end)
            pos = gpt2_step(pos, end);
    }

    void llama3(size_t begin, size_t end, size_t max_digits) {
        size_t pos = begin;
        while (pos < end)
            pos = llama3_step(pos, end, max_digits);
    }

    void starcoder(size_t begin, size_t end) {
        size_t segment = begin;
        for (size_t pos = begin; pos < end; ++pos) {
            if (chars_.cls(pos) != CharClass::kNumber) continue;
            gpt2(segment, pos);
            emit(pos, pos + 1);
            segment = pos + 1;
        }
        gpt2(segment, end);
    }

  private:
    void emit(size_t from, size_t to) {
        size_t a = chars_.byte_start(from);
        words_.push_back(text_.substr(a, chars_.byte_start(to) - a));
    }

    bool is(size_t pos, size_t end, CharClass cls) const {
        return pos < end && chars_.cls(pos) == cls;
    }

    size_t run_of(size_t pos, size_t end, CharClass cls) const {
        while (is(pos, end, cls))
            ++pos;
        return pos;
    }

    // 's 't 're 've 'm 'll 'd: the end of the contraction at pos, or pos.
    size_t contraction(size_t pos, size_t end, bool ignore_case) const {
        if (chars_.cp(pos) != '\'' || pos + 1 >= end) return pos;
        auto at = [&](size_t i) { return ignore_case ? ascii_lower(chars_.cp(i)) : chars_.cp(i); };
        uint32_t a = at(pos + 1);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return pos + 2;
        if (pos + 2 >= end) return pos;
        uint32_t b = at(pos + 2);
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
            return pos + 3;
        return pos;
    }

    // \s+(?!\S)|\s+ at a whitespace character: a run followed by more text
    // leaves its last character to start the next word (" word").
    size_t whitespace(size_t pos, size_t end) {
        size_t run_end = run_of(pos, end, CharClass::kWhitespace);
        size_t to = (run_end - pos > 1 && run_end < end) ? run_end - 1 : run_end;
        emit(pos, to);
        return to;
    }

    size_t gpt2_step(size_t pos, size_t end) {
        size_t to = contraction(pos, end, false);
        if (to != pos) {
            emit(pos, to);
            return to;
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run.
        size_t body = pos + (chars_.cp(pos) == ' ' ? 1 : 0);
        if (body < end && chars_.cls(body) != CharClass::kWhitespace) {
            to = run_of(body, end, chars_.cls(body));
            emit(pos, to);
            return to;
        }
        return whitespace(pos, end);
    }

    size_t llama3_step(size_t pos, size_t end, size_t max_digits) {
        size_t to = contraction(pos, end, true);
        if (to != pos) {
            emit(pos, to);
            return to;
        }
        uint32_t cp = chars_.cp(pos);
        CharClass cls = chars_.cls(pos);
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (cls == CharClass::kLetter) {
            to = run_of(pos, end, CharClass::kLetter);
            emit(pos, to);
            return to;
        }
        if (!is_cr_or_lf(cp) && cls != CharClass::kNumber && is(pos + 1, end, CharClass::kLetter)) {
            to = run_of(pos + 1, end, CharClass::kLetter);
            emit(pos, to);
            return to;
        }
        // \p{N}{1,3} or \p{N}
        if (cls == CharClass::kNumber) {
            to = pos + 1;
            while (to - pos < max_digits && is(to, end, CharClass::kNumber))
                ++to;
            emit(pos, to);
            return to;
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        size_t body = pos + (cp == ' ' ? 1 : 0);
        if (is(body, end, CharClass::kOther)) {
            to = run_of(body, end, CharClass::kOther);
            while (to < end && is_cr_or_lf(chars_.cp(to)))
                ++to;
            emit(pos, to);
            return to;
        }
        // \s*[\r\n]+: the whitespace up to and including its last CR or LF.
        size_t run_end = run_of(pos, end, CharClass::kWhitespace);
        for (size_t i = run_end; i > pos; --i) {
            if (is_cr_or_lf(chars_.cp(i - 1))) {
                emit(pos, i);
                return i;
            }
        }
        return whitespace(pos, end);
    }

    const Chars& chars_;
    std::string_view text_;
    std::vector<std::string_view>& words_;
};

} // namespace

core::Result<PreTokenizerInfo> pre_tokenizer_from_name(std::string_view name) {
    for (const NamedRules& named : kNames) {
        if (named.name == name) return named.info;
    }
    return core::Status(
        core::StatusCode::kUnimplemented,
        "tokenizer: tokenizer.ggml.pre is '" + std::string(name) +
            "', a pre-tokenizer this engine does not implement; supported are the gpt-2, llama3 "
            "(llama-bpe), qwen2 and starcoder (smollm) families");
}

std::string_view pre_tokenizer_name(PreTokenizer rules) {
    switch (rules) {
    case PreTokenizer::kGpt2:
        return "gpt-2";
    case PreTokenizer::kLlama3:
        return "llama3";
    case PreTokenizer::kQwen2:
        return "qwen2";
    case PreTokenizer::kStarCoder:
        return "starcoder";
    }
    return "unknown";
}

void split_words(std::string_view text, PreTokenizer rules, std::vector<std::string_view>& words) {
    Chars chars(text);
    Matcher matcher(chars, text, words);
    switch (rules) {
    case PreTokenizer::kGpt2:
        matcher.gpt2(0, chars.size());
        break;
    case PreTokenizer::kLlama3:
        matcher.llama3(0, chars.size(), 3);
        break;
    case PreTokenizer::kQwen2:
        matcher.llama3(0, chars.size(), 1);
        break;
    case PreTokenizer::kStarCoder:
        matcher.starcoder(0, chars.size());
        break;
    }
}

} // namespace edgeai::engine::tokenizer
