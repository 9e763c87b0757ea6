// llama.cpp's vocabulary loader (llama-vocab.cpp) types some tokens by their
// text, whatever tokenizer.ggml.token_type says, and decides from texts which
// tokens end generation. Tokenizing like llama.cpp needs the same rules: a
// Qwen 3 vocabulary has "</s>" as an ordinary token, which llama.cpp makes a
// control token, so "</s>" in a prompt is one token there.
#pragma once

#include "engine/tokenizer/vocab.h"

#include <cstdint>
#include <vector>

namespace edgeai::engine::tokenizer {

struct TextRuleResult {
    int32_t eot = kNoToken; // the first end-of-turn text present, when the file names none
    int32_t eom = kNoToken;
    std::vector<int32_t> end_of_generation; // sorted, unique
};

// Applies the rules to `vocab.type` in place. `eos`, `eot` and `eom` are the
// ids the file names (kNoToken when it names none); all three end generation.
TextRuleResult apply_text_rules(Vocab& vocab, int32_t eos, int32_t eot, int32_t eom);

} // namespace edgeai::engine::tokenizer
