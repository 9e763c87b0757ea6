// Ends generation at a request's stop strings the way OpenAI does: the text
// before the first stop string is sent, the stop string and anything after it
// are not. Text is streamed, so a stop string can arrive split across pieces;
// whatever could still turn out to be the start of one is held back until it
// is ruled in or out.
//
// Feed it text released by Utf8Assembler: stop strings are valid UTF-8, so a
// held-back tail (a prefix of a stop string) always starts on a character
// boundary and what is emitted never splits a character.
#pragma once

#include "core/result.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::sampling {

class StopMatcher {
  public:
    // The request's stop strings (OpenAI allows up to 4; the API layer enforces
    // that, so the engine may add its own). Empty strings are refused.
    static core::Result<StopMatcher> create(std::span<const std::string> stops);

    // Adds `text` and appends to `out` what is now safe to send. Returns true
    // when a stop string has matched: `out` then ends just before it, and
    // every later call adds nothing.
    bool push(std::string_view text, std::string& out);

    // Generation ended without a stop string: releases the held-back text.
    void finish(std::string& out);

    bool stopped() const { return stopped_index_ != kNone; }
    // The stop string that matched, or empty.
    std::string_view matched() const;
    // Bytes currently held back.
    size_t pending() const { return held_.size(); }

  private:
    static constexpr size_t kNone = static_cast<size_t>(-1);

    explicit StopMatcher(std::vector<std::string> stops);

    // Length of the longest suffix of held_ that is a proper prefix of a stop string.
    size_t undecided_tail() const;

    std::vector<std::string> stops_;
    size_t longest_ = 0;
    std::string held_;
    size_t stopped_index_ = kNone;
};

} // namespace edgeai::engine::sampling
