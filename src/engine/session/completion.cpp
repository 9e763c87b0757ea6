#include "engine/session/completion.h"

#include <algorithm>
#include <utility>

namespace edgeai::engine::session {

core::Result<Completion> Completion::create(const tokenizer::Tokenizer& tokenizer,
                                            CompletionOptions options) {
    EDGEAI_ASSIGN_OR_RETURN(
        sampling::Sampler sampler,
        sampling::Sampler::create(options.sampling, static_cast<size_t>(tokenizer.n_vocab())));
    EDGEAI_ASSIGN_OR_RETURN(sampling::StopMatcher stops,
                            sampling::StopMatcher::create(options.stop));
    std::optional<grammar::Matcher> matcher;
    if (options.grammar != nullptr) {
        if (options.token_trie == nullptr ||
            options.token_trie->n_vocab() != static_cast<size_t>(tokenizer.n_vocab()))
            return core::internal_error("a grammar needs the tokenizer's token trie");
        EDGEAI_ASSIGN_OR_RETURN(grammar::Matcher m, grammar::Matcher::create(options.grammar));
        matcher.emplace(std::move(m));
    }
    return Completion(tokenizer, std::move(options), std::move(sampler), std::move(stops),
                      std::move(matcher));
}

Completion::Completion(const tokenizer::Tokenizer& tokenizer, CompletionOptions options,
                       sampling::Sampler sampler, sampling::StopMatcher stops,
                       std::optional<grammar::Matcher> matcher)
    : tokenizer_(&tokenizer), options_(std::move(options)), sampler_(std::move(sampler)),
      stops_(std::move(stops)), matcher_(std::move(matcher)) {
    waiting_ = matcher_ && !options_.grammar_triggers.empty();
}

core::Status Completion::set_prompt(std::span<const int32_t> prompt) {
    return sampler_.add_context(prompt);
}

core::Result<bool> Completion::step(std::span<float> logits, std::string& out) {
    has_logprobs_ = false;
    if (finish_ != FinishReason::kNone) return true;
    if (generated_ >= options_.max_tokens) {
        finish(FinishReason::kLength, out);
        return true;
    }
    if (grammar::Matcher* m = active()) {
        EDGEAI_TRY(m->compact());
        EDGEAI_TRY(options_.token_trie->mask(*m, logits, mask_));
    }
    // The samplers rewrite the logits in place (temperature, cuts): what
    // logprobs reports is read from a copy of what they were given.
    if (options_.logprobs) seen_.assign(logits.begin(), logits.end());
    EDGEAI_ASSIGN_OR_RETURN(int32_t token, sampler_.sample(logits));
    EDGEAI_TRY(sampler_.accept(token));
    ++generated_;
    if ((!options_.ignore_eos || active()) && tokenizer_->is_end_of_generation(token)) {
        finish(FinishReason::kStop, out);
        return true;
    }
    if (options_.logprobs) read_logprobs(token);
    next_ = token;
    piece_.clear();
    tokenizer_->append_piece(token, piece_);
    if (waiting_) {
        EDGEAI_TRY(watch_for_trigger());
    } else if (matcher_) {
        EDGEAI_ASSIGN_OR_RETURN(bool fits, matcher_->advance(piece_));
        if (!fits) return core::internal_error("a token outside the grammar was sampled");
    }
    released_.clear();
    utf8_.push(piece_, released_);
    if (stops_.push(released_, out)) {
        finish_ = FinishReason::kStop;
        return true;
    }
    // The grammar allows nothing more: done, without waiting for an
    // end-of-generation token the model may rank low.
    if (active() && !matcher_->can_continue()) {
        finish(FinishReason::kStop, out);
        return true;
    }
    if (generated_ >= options_.max_tokens) {
        finish(FinishReason::kLength, out);
        return true;
    }
    return false;
}

void Completion::read_logprobs(int32_t token) {
    const float log_z = sampling::log_sum_exp(seen_);
    logprobs_.chosen.token = token;
    logprobs_.chosen.logprob = seen_[static_cast<size_t>(token)] - log_z;
    logprobs_.chosen.piece.clear();
    tokenizer_->append_piece(token, logprobs_.chosen.piece);
    logprobs_.top = sampling::top_logprobs(seen_, log_z, options_.top_logprobs);
    for (sampling::TokenLogprob& t : logprobs_.top)
        tokenizer_->append_piece(t.token, t.piece);
    has_logprobs_ = true;
}

// The grammar starts at the trigger, which may begin inside an earlier token
// and end inside this one: the matcher reads from the trigger's first byte.
core::Status Completion::watch_for_trigger() {
    recent_ += piece_;
    size_t longest = 0;
    for (const std::string& t : options_.grammar_triggers) {
        const size_t at = recent_.find(t);
        if (at == std::string::npos) {
            longest = std::max(longest, t.size());
            continue;
        }
        waiting_ = false;
        EDGEAI_ASSIGN_OR_RETURN(bool fits, matcher_->advance(std::string_view(recent_).substr(at)));
        // A token that carried the trigger and text the grammar refuses:
        // the output goes on unconstrained, and its call will not parse.
        if (!fits) matcher_.reset();
        recent_.clear();
        return {};
    }
    // Only a tail shorter than every trigger can still start one.
    if (recent_.size() >= longest) recent_.erase(0, recent_.size() - (longest - 1));
    return {};
}

void Completion::end_for_length(std::string& out) {
    if (finish_ == FinishReason::kNone) finish(FinishReason::kLength, out);
}

void Completion::finish(FinishReason reason, std::string& out) {
    finish_ = reason;
    released_.clear();
    utf8_.finish(released_);
    if (!stops_.push(released_, out)) stops_.finish(out);
}

std::string_view finish_reason_name(FinishReason reason) {
    switch (reason) {
    case FinishReason::kStop:
        return "stop";
    case FinishReason::kLength:
        return "length";
    case FinishReason::kNone:
        break;
    }
    return "";
}

} // namespace edgeai::engine::session
