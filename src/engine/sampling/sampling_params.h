// What a request asks of the sampler. Fields OpenAI defines keep OpenAI's names,
// ranges and defaults (so an absent field means what it means to OpenAI);
// top_k, min_p and the repeat penalty are llama.cpp's and keep its defaults.
#pragma once

#include "core/status.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgeai::engine::sampling {

struct LogitBias {
    int32_t token = 0;
    // Added to the token's logit, -100..100. -100 bans the token outright (its
    // logit becomes -inf) rather than merely making it unlikely, which is what
    // OpenAI promises for that value.
    float bias = 0;
};

struct SamplingParams {
    float temperature = 1.0f; // 0..2; 0 picks the most likely token (greedy)
    int32_t top_k = 40;       // keep the k most likely; 0 keeps all
    float top_p = 1.0f;       // nucleus: smallest set whose probability reaches top_p
    float min_p = 0.05f;      // drop tokens below min_p × the best token's probability
    // llama.cpp's repeat penalty over the last repeat_last_n tokens seen
    // (prompt context included when the caller feeds it): positive logits are
    // divided by it, negative ones multiplied. 1 is off.
    float repeat_penalty = 1.0f;
    int32_t repeat_last_n = 64;
    // OpenAI's penalties over the generated text: a token that appeared loses
    // presence_penalty once and frequency_penalty × its count. -2..2.
    float presence_penalty = 0.0f;
    float frequency_penalty = 0.0f;
    uint64_t seed = 0;
    std::vector<LogitBias> logit_bias;
};

inline constexpr int32_t kMaxRepeatLastN = 65536;

// Checks every field against its range (and bias tokens against the
// vocabulary); the error names the field as the OpenAI request spells it.
core::Status validate(const SamplingParams& params, size_t vocab_size);

} // namespace edgeai::engine::sampling
