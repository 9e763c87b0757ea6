// Log-probabilities of the tokens a step could have produced, as OpenAI's
// `logprobs` reports them: the log-softmax of the logits the sampler saw
// (after a grammar's mask, before temperature and the other samplers), for
// the token chosen and for the most likely alternatives.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace edgeai::engine::sampling {

struct TokenLogprob {
    int32_t token = -1;
    float logprob = 0;
    std::string piece; // the token's bytes (perhaps part of a UTF-8 character)
};

struct StepLogprobs {
    TokenLogprob chosen;
    std::vector<TokenLogprob> top; // most likely first; at most the count asked
};

// log(sum(exp(logits))), computed without overflow; -inf when every logit is.
float log_sum_exp(std::span<const float> logits);

// The `k` tokens with the highest logits, most likely first (ties: lower id
// first), with their logprobs against `log_z`; pieces are left empty.
std::vector<TokenLogprob> top_logprobs(std::span<const float> logits, float log_z, uint32_t k);

} // namespace edgeai::engine::sampling
