// Turns the bytes of generated tokens into text that is safe to stream. A
// token can end in the middle of a character (byte-fallback tokens such as
// <0xE6> carry one byte each), and a streamed chunk must never split one:
// clients decode every chunk as UTF-8 on its own.
#pragma once

#include <string>
#include <string_view>

namespace edgeai::engine::sampling {

class Utf8Assembler {
  public:
    // Appends a token's bytes and adds to `out` every character they complete.
    // An incomplete character at the end is held back until later bytes
    // complete it; bytes that can never form a character become U+FFFD (one
    // per maximal ill-formed subsequence, as Unicode recommends).
    void push(std::string_view bytes, std::string& out);

    // End of generation: a held-back tail can no longer be completed and is
    // released as U+FFFD.
    void finish(std::string& out);

    // Bytes held back, waiting for the rest of their character (0 to 3).
    size_t pending() const { return buffer_.size(); }

    void reset() { buffer_.clear(); }

  private:
    std::string buffer_;
};

} // namespace edgeai::engine::sampling
