#include "engine/chat/reasoning_split.h"

#include <algorithm>

namespace edgeai::engine::chat {
namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

size_t skip_space(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && is_space(s[i]))
        ++i;
    return i;
}

// Where the text that may still be the start of `tag` (or whitespace that
// may come before it) begins at the end of `s`.
size_t undecided_tail(std::string_view s, std::string_view tag) {
    for (size_t n = std::min(s.size(), tag.size() - 1); n > 0; --n)
        if (s.substr(s.size() - n) == tag.substr(0, n)) return s.size() - n;
    return s.size();
}

} // namespace

ReasoningSplit::ReasoningSplit(bool thinking)
    : state_(thinking ? State::kThinking : State::kStart) {}

void ReasoningSplit::push(std::string_view text, std::string& reasoning, std::string& content) {
    held_.append(text);
    if (state_ == State::kStart) {
        const std::string_view rest = std::string_view(held_).substr(skip_space(held_));
        if (rest.size() < kOpen.size() && kOpen.substr(0, rest.size()) == rest) return;
        if (rest.substr(0, kOpen.size()) == kOpen) {
            held_.erase(0, held_.size() - rest.size() + kOpen.size());
            state_ = State::kThinking;
        } else {
            state_ = State::kAnswer;
        }
    }
    if (state_ == State::kThinking) {
        // Thinking starts after the whitespace that follows <think>.
        if (!thought_) held_.erase(0, skip_space(held_));
        const size_t end = held_.find(kClose);
        if (end == std::string::npos) {
            // Whitespace may be the last before </think>: held until known.
            size_t keep = undecided_tail(held_, kClose);
            while (keep > 0 && is_space(held_[keep - 1]))
                --keep;
            reasoning.append(held_, 0, keep);
            held_.erase(0, keep);
            thought_ = thought_ || keep > 0;
            return;
        }
        size_t last = end;
        while (last > 0 && is_space(held_[last - 1]))
            --last;
        reasoning.append(held_, 0, last);
        held_.erase(0, end + kClose.size());
        state_ = State::kAnswer;
        trim_ = true;
    }
    if (trim_) {
        held_.erase(0, skip_space(held_));
        if (held_.empty()) return;
        trim_ = false;
    }
    content += held_;
    held_.clear();
}

void ReasoningSplit::finish(std::string& reasoning, std::string& content) {
    if (state_ == State::kThinking)
        reasoning += held_;
    else if (!trim_)
        content += held_;
    held_.clear();
}

bool template_reasons(std::string_view source) {
    return source.find(kClose) != std::string_view::npos;
}

bool prompt_opens_thinking(std::string_view prompt) {
    size_t end = prompt.size();
    while (end > 0 && is_space(prompt[end - 1]))
        --end;
    return prompt.substr(0, end).ends_with(kOpen);
}

} // namespace edgeai::engine::chat
