// Picks the next token from a model's logits. The chain follows llama.cpp's
// default order: repeat/presence/frequency penalties and logit_bias, then
// top-k, top-p, min-p, temperature, and a draw. Temperature comes last, so it
// reshapes the survivors without changing which tokens survive.
//
// Cost per token, for vocabularies up to ~150k entries: greedy (temperature 0
// or top_k 1) is one argmax pass; top-k selects through a k-sized heap in one
// pass; top-p over the whole vocabulary buckets the logits and sorts only the
// bucket where p is crossed; min-p is a linear filter. Buffers are sized on the first call and
// reused, so sampling allocates nothing afterwards (the list of distinct generated tokens, kept for
// the OpenAI penalties, still grows geometrically as new tokens appear).
//
// Determinism: the same params, seed, accepted history and logits give the
// same token. Ranking uses a total order (logit, then token id), the random
// draw comes from our own PRNG bits, and sums run in a fixed order. The one
// platform input left is the C library's expf: glibc and musl (and so
// wasi-libc) use the same algorithm, and where two builds still differ in the
// last bit, only a draw that lands within that bit of a boundary can move.
#pragma once

#include "core/result.h"
#include "engine/sampling/rng.h"
#include "engine/sampling/sampling_params.h"

#include <cstdint>
#include <span>
#include <vector>

namespace edgeai::engine::sampling {

class Sampler {
  public:
    // Validates the params (see validate()) for a model of vocab_size tokens.
    static core::Result<Sampler> create(SamplingParams params, size_t vocab_size);

    // Chooses a token from logits (one per vocabulary entry). The span is
    // modified: penalties and biases are applied to it in place. NaN and -inf
    // logits are never chosen; if nothing else is left the call fails.
    core::Result<int32_t> sample(std::span<float> logits);

    // Records a generated token for the penalties. Call it with every token
    // that is kept, sampled here or not.
    core::Status accept(int32_t token);

    // Feeds prompt tokens to the repeat-penalty window only (llama.cpp counts
    // the prompt there; OpenAI's presence and frequency penalties look at the
    // generated text alone).
    core::Status add_context(std::span<const int32_t> tokens);

    // Forgets the history and restarts the random sequence from the seed.
    void reset();

    const SamplingParams& params() const { return params_; }
    size_t vocab_size() const { return vocab_size_; }

  private:
    struct Candidate {
        int32_t id;
        float logit;
    };

    Sampler(SamplingParams params, size_t vocab_size);

    // A total order (logit descending, then token id ascending): every
    // selection and sort then has one correct answer, whichever standard
    // library runs it, which keeps a seed's output the same across platforms.
    static bool ranks_before(const Candidate& a, const Candidate& b) {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    }

    core::Status check_token(int32_t token) const;
    void push_window(int32_t token);
    void apply_penalties(std::span<float> logits);
    void apply_bias(std::span<float> logits) const;
    core::Result<int32_t> argmax(std::span<const float> logits) const;
    void collect(std::span<const float> logits);
    void keep_top_k(std::span<const float> logits, size_t k);
    void keep_top_p(float p);
    void keep_top_p_by_buckets(float p, float max);
    void keep_min_p();
    int32_t draw();
    float max_logit() const;

    SamplingParams params_;
    size_t vocab_size_;
    Rng rng_;
    float log_min_p_;

    bool repeat_on_;
    bool openai_penalties_on_;
    // Repeat window: a ring of the last repeat_last_n tokens, and per-token
    // stamps so a token that occurs twice in it is penalised once.
    std::vector<int32_t> window_;
    size_t window_next_ = 0;
    size_t window_fill_ = 0;
    std::vector<uint32_t> stamp_;
    uint32_t epoch_ = 0;
    // Generated history: count per token and the tokens with a count.
    std::vector<uint32_t> counts_;
    std::vector<int32_t> seen_;

    // Working set, reused between calls.
    std::vector<Candidate> candidates_;
    bool sorted_ = false; // candidates_ is in ranking order
    std::vector<float> weights_;
    std::vector<double> bucket_mass_;
    std::vector<Candidate> boundary_;
};

} // namespace edgeai::engine::sampling
