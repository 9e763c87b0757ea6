#include "engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace edgeai::engine::sampling {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// NaN compares false with everything, so this also rules NaN out.
bool selectable(float logit) {
    return logit > kNegInf;
}

// exp(logit - max) relative to the best logit. Equality is tested first so a
// +inf best (a broken model, or a tiny temperature) weighs 1 instead of NaN.
float weight(float logit, float max) {
    return logit == max ? 1.0f : std::exp(logit - max);
}

core::Status nothing_to_sample() {
    return core::failed_precondition(
        "no token can be sampled: every logit is -inf or NaN after penalties and logit_bias; "
        "check that logit_bias does not ban every token (-100), otherwise the model produced "
        "no usable output");
}

} // namespace

core::Result<Sampler> Sampler::create(SamplingParams params, size_t vocab_size) {
    if (vocab_size == 0 || vocab_size > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
        return core::invalid_argument("sampler: the model's vocabulary must have between 1 and "
                                      "2147483647 tokens, found " +
                                      std::to_string(vocab_size));
    }
    EDGEAI_TRY(validate(params, vocab_size));
    return Sampler(std::move(params), vocab_size);
}

Sampler::Sampler(SamplingParams params, size_t vocab_size)
    : params_(std::move(params)), vocab_size_(vocab_size), rng_(params_.seed),
      log_min_p_(params_.min_p > 0 ? std::log(params_.min_p) : kNegInf),
      repeat_on_(params_.repeat_penalty != 1.0f && params_.repeat_last_n > 0),
      openai_penalties_on_(params_.presence_penalty != 0 || params_.frequency_penalty != 0) {
    if (repeat_on_) {
        window_.assign(static_cast<size_t>(params_.repeat_last_n), 0);
        stamp_.assign(vocab_size_, 0);
    }
    if (openai_penalties_on_) {
        counts_.assign(vocab_size_, 0);
        seen_.reserve(std::min<size_t>(vocab_size_, 1024));
    }
}

core::Status Sampler::check_token(int32_t token) const {
    if (token >= 0 && static_cast<size_t>(token) < vocab_size_) return {};
    return core::invalid_argument("sampler: token " + std::to_string(token) +
                                  " is outside the model's vocabulary (ids 0 to " +
                                  std::to_string(vocab_size_ - 1) + ")");
}

core::Status Sampler::accept(int32_t token) {
    EDGEAI_TRY(check_token(token));
    if (repeat_on_) push_window(token);
    if (openai_penalties_on_ && counts_[static_cast<size_t>(token)]++ == 0) seen_.push_back(token);
    return {};
}

core::Status Sampler::add_context(std::span<const int32_t> tokens) {
    for (int32_t token : tokens)
        EDGEAI_TRY(check_token(token));
    if (repeat_on_) {
        for (int32_t token : tokens)
            push_window(token);
    }
    return {};
}

void Sampler::reset() {
    rng_.reseed(params_.seed);
    window_next_ = 0;
    window_fill_ = 0;
    for (int32_t token : seen_)
        counts_[static_cast<size_t>(token)] = 0;
    seen_.clear();
}

void Sampler::push_window(int32_t token) {
    window_[window_next_] = token;
    window_next_ = window_next_ + 1 == window_.size() ? 0 : window_next_ + 1;
    if (window_fill_ < window_.size()) ++window_fill_;
}

void Sampler::apply_penalties(std::span<float> logits) {
    if (repeat_on_ && window_fill_ > 0) {
        if (++epoch_ == 0) { // wrapped after 2^32 calls: old stamps could collide
            std::fill(stamp_.begin(), stamp_.end(), 0u);
            epoch_ = 1;
        }
        const float penalty = params_.repeat_penalty;
        // Until the ring is full its entries are [0, fill); afterwards all are.
        for (size_t i = 0; i < window_fill_; ++i) {
            const auto token = static_cast<size_t>(window_[i]);
            if (stamp_[token] == epoch_) continue;
            stamp_[token] = epoch_;
            float& logit = logits[token];
            logit = logit > 0 ? logit / penalty : logit * penalty;
        }
    }
    if (openai_penalties_on_) {
        for (int32_t token : seen_) {
            const auto t = static_cast<size_t>(token);
            logits[t] -= params_.presence_penalty +
                         params_.frequency_penalty * static_cast<float>(counts_[t]);
        }
    }
}

void Sampler::apply_bias(std::span<float> logits) const {
    for (const LogitBias& b : params_.logit_bias) {
        float& logit = logits[static_cast<size_t>(b.token)];
        logit = b.bias <= -100 ? kNegInf : logit + b.bias;
    }
}

core::Result<int32_t> Sampler::sample(std::span<float> logits) {
    if (logits.size() != vocab_size_) {
        return core::invalid_argument("sampler: got " + std::to_string(logits.size()) +
                                      " logits for a vocabulary of " + std::to_string(vocab_size_) +
                                      " tokens; the sampler must be created for this model");
    }
    apply_penalties(logits);
    apply_bias(logits);
    if (params_.temperature == 0 || params_.top_k == 1) return argmax(logits);

    const auto k = static_cast<size_t>(params_.top_k);
    if (k > 0 && k < logits.size()) {
        keep_top_k(logits, k);
    } else {
        collect(logits);
    }
    if (candidates_.empty()) return nothing_to_sample();
    if (params_.top_p < 1) keep_top_p(params_.top_p);
    if (params_.min_p > 0) keep_min_p();
    if (candidates_.size() == 1) return candidates_[0].id;
    if (params_.temperature != 1) {
        for (Candidate& c : candidates_)
            c.logit /= params_.temperature; // order-preserving: sorted_ stays valid
    }
    return draw();
}

core::Result<int32_t> Sampler::argmax(std::span<const float> logits) const {
    size_t best = logits.size();
    float best_logit = kNegInf;
    for (size_t i = 0; i < logits.size(); ++i) {
        if (logits[i] > best_logit) {
            best_logit = logits[i];
            best = i;
        }
    }
    if (best == logits.size()) return nothing_to_sample();
    return static_cast<int32_t>(best);
}

void Sampler::collect(std::span<const float> logits) {
    candidates_.reserve(vocab_size_);
    candidates_.clear();
    for (size_t i = 0; i < logits.size(); ++i) {
        if (selectable(logits[i])) candidates_.push_back({static_cast<int32_t>(i), logits[i]});
    }
    sorted_ = false;
}

// One pass with a k-sized heap whose front is the weakest token kept so far:
// most logits lose a single comparison against it, and nothing of vocabulary
// size is written or sorted.
void Sampler::keep_top_k(std::span<const float> logits, size_t k) {
    candidates_.reserve(vocab_size_);
    candidates_.clear();
    for (size_t i = 0; i < logits.size(); ++i) {
        const Candidate c{static_cast<int32_t>(i), logits[i]};
        if (!selectable(c.logit)) continue;
        if (candidates_.size() < k) {
            candidates_.push_back(c);
            std::push_heap(candidates_.begin(), candidates_.end(), ranks_before);
        } else if (ranks_before(c, candidates_.front())) {
            std::pop_heap(candidates_.begin(), candidates_.end(), ranks_before);
            candidates_.back() = c;
            std::push_heap(candidates_.begin(), candidates_.end(), ranks_before);
        }
    }
    std::sort_heap(candidates_.begin(), candidates_.end(), ranks_before);
    sorted_ = true;
}

float Sampler::max_logit() const {
    if (sorted_) return candidates_.front().logit;
    float max = kNegInf;
    for (const Candidate& c : candidates_)
        max = std::max(max, c.logit);
    return max;
}

// Keeps the smallest best-first set whose probability reaches p (the token
// that crosses p stays, as in llama.cpp).
void Sampler::keep_top_p(float p) {
    const float max = max_logit();
    if (sorted_) {
        double total = 0;
        for (const Candidate& c : candidates_)
            total += weight(c.logit, max);
        const double target = static_cast<double>(p) * total;
        double cumulative = 0;
        for (size_t i = 0; i < candidates_.size(); ++i) {
            cumulative += weight(candidates_[i].logit, max);
            if (cumulative >= target) {
                candidates_.resize(i + 1);
                return;
            }
        }
        return; // rounding kept the sum just short of the target: keep all
    }
    keep_top_p_by_buckets(p, max);
}

// Unranked candidates (no top-k before) can be the whole vocabulary, and on a
// flat distribution the nucleus is large, so ranking even a prefix would come
// close to a full sort. Instead the logits go into equal-width buckets below
// the best one: a token in a higher bucket outranks every token in a lower
// one, so summing bucket masses from the top finds the one bucket where p is
// crossed, and only that bucket is sorted.
void Sampler::keep_top_p_by_buckets(float p, float max) {
    if (!std::isfinite(max)) { // a +inf logit has all the mass: keep just the best
        candidates_.front() =
            *std::min_element(candidates_.begin(), candidates_.end(), ranks_before);
        candidates_.resize(1);
        sorted_ = true;
        return;
    }
    // Buckets span kTopPRange nats below the best logit; weaker tokens (each
    // under e^-32 of the best) share the last bucket.
    constexpr float kTopPRange = 32.0f;
    constexpr size_t kBuckets = 1024;
    constexpr float kScale = static_cast<float>(kBuckets) / kTopPRange;
    auto bucket_of = [max](float logit) {
        const float position = (max - logit) * kScale;
        return position < static_cast<float>(kBuckets - 1) ? static_cast<size_t>(position)
                                                           : kBuckets - 1;
    };
    bucket_mass_.assign(kBuckets, 0.0);
    double total = 0;
    for (const Candidate& c : candidates_) {
        const float w = weight(c.logit, max);
        bucket_mass_[bucket_of(c.logit)] += w;
        total += w;
    }
    const double target = static_cast<double>(p) * total;
    size_t boundary = 0;
    double above = 0; // mass of the buckets before the boundary
    while (boundary + 1 < kBuckets && above + bucket_mass_[boundary] < target)
        above += bucket_mass_[boundary++];

    // Keep whole buckets above the boundary in place (id order); rank the
    // boundary bucket and keep its prefix that reaches the target.
    boundary_.reserve(vocab_size_);
    boundary_.clear();
    size_t kept = 0;
    for (const Candidate& c : candidates_) {
        const size_t b = bucket_of(c.logit);
        if (b < boundary) {
            candidates_[kept++] = c;
        } else if (b == boundary) {
            boundary_.push_back(c);
        }
    }
    std::sort(boundary_.begin(), boundary_.end(), ranks_before);
    double cumulative = above;
    size_t take = 0;
    while (take < boundary_.size() && (take == 0 || cumulative < target))
        cumulative += weight(boundary_[take++].logit, max);
    candidates_.resize(kept);
    candidates_.insert(candidates_.end(), boundary_.begin(), boundary_.begin() + take);
    sorted_ = false;
}

// p_i >= min_p * p_max is logit_i >= max + log(min_p): no softmax needed, and
// the filter keeps the candidates' order.
void Sampler::keep_min_p() {
    const float threshold = max_logit() + log_min_p_;
    std::erase_if(candidates_, [threshold](const Candidate& c) { return c.logit < threshold; });
}

int32_t Sampler::draw() {
    const float max = max_logit();
    weights_.reserve(vocab_size_);
    weights_.resize(candidates_.size());
    double total = 0;
    for (size_t i = 0; i < candidates_.size(); ++i) {
        weights_[i] = weight(candidates_[i].logit, max);
        total += weights_[i];
    }
    const double target = rng_.next_unit() * total;
    double cumulative = 0;
    for (size_t i = 0; i < candidates_.size(); ++i) {
        cumulative += weights_[i];
        if (target < cumulative) return candidates_[i].id;
    }
    // Rounding left the target at the very top: the last token that has weight.
    for (size_t i = candidates_.size(); i-- > 0;) {
        if (weights_[i] > 0) return candidates_[i].id;
    }
    return candidates_.front().id;
}

} // namespace edgeai::engine::sampling
