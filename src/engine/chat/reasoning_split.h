// Reasoning models (Qwen 3, SmolLM3, DeepSeek-R1's distills) think between
// <think> and </think> before they answer. As llama.cpp's server does with
// its default reasoning format, the thinking is reported apart from the
// answer (`reasoning_content`), whole or as it streams, and the answer keeps
// only what follows </think>.
#pragma once

#include <string>
#include <string_view>

namespace edgeai::engine::chat {

class ReasoningSplit {
  public:
    // `thinking`: the prompt already opened <think> (some templates end the
    // generation prompt with it), so the output starts inside the thinking.
    explicit ReasoningSplit(bool thinking);

    // Moves `text` into `reasoning` and `content` (appending); text that may be
    // the start of a tag is held back until it is known.
    void push(std::string_view text, std::string& reasoning, std::string& content);
    // The end of the output: what was held back goes where it was heading.
    void finish(std::string& reasoning, std::string& content);

  private:
    enum class State { kStart, kThinking, kAnswer };
    State state_;
    std::string held_;
    bool thought_ = false; // some reasoning was released (its leading space is gone)
    bool trim_ = false;    // whitespace after </think> is not part of the answer
};

// True when a template's text writes <think> blocks.
bool template_reasons(std::string_view source);
// True when a prompt ends inside an opened <think> block.
bool prompt_opens_thinking(std::string_view prompt);

} // namespace edgeai::engine::chat
