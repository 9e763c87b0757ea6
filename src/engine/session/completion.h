// One sequence's generation after its prompt: sample the next token from the
// logits the forward pass produced, decide whether generation ends (an
// end-of-generation token, max_tokens, a stop string, the context filling
// up), and release text that is safe to stream (never half a character,
// never the start of a stop string). The forward pass is driven outside, so
// the CLI's single loop and the server's batched scheduler share this.
#pragma once

#include "core/result.h"
#include "engine/grammar/matcher.h"
#include "engine/grammar/token_trie.h"
#include "engine/sampling/sampler.h"
#include "engine/sampling/stop_matcher.h"
#include "engine/sampling/token_logprobs.h"
#include "engine/sampling/utf8_assembler.h"
#include "engine/tokenizer/tokenizer.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace edgeai::engine::session {

struct CompletionOptions {
    sampling::SamplingParams sampling;
    uint32_t max_tokens = 256;
    std::vector<std::string> stop;
    // Generate past end-of-generation tokens (benchmarks).
    bool ignore_eos = false;
    // Constrained decoding: only tokens that continue a parse of the grammar
    // are sampled (the others' logits become -inf before any sampler runs),
    // end-of-generation only once the output is a whole sentence, and
    // generation stops by itself when nothing more can follow. The trie must
    // be the tokenizer's.
    std::shared_ptr<const grammar::Grammar> grammar;
    std::shared_ptr<const grammar::TokenTrie> token_trie;
    // A lazy grammar (llama.cpp's): sampling is free until the output shows
    // one of these texts, and from there on the grammar holds, counting the
    // trigger's own bytes. A tool call in free text is thus always whole.
    std::vector<std::string> grammar_triggers;
    // OpenAI's logprobs: each sampled token's log-probability, with the
    // `top_logprobs` most likely tokens (0 to 20) beside it.
    bool logprobs = false;
    uint32_t top_logprobs = 0;
};

enum class FinishReason { kNone, kStop, kLength };

class Completion {
  public:
    static core::Result<Completion> create(const tokenizer::Tokenizer& tokenizer,
                                           CompletionOptions options);

    // The prompt's tokens, for the repeat penalty's window.
    core::Status set_prompt(std::span<const int32_t> prompt);

    // Picks the next token from the logits after the last fed token and adds
    // the text now safe to send to `out`. Returns true when generation is over
    // (finish_reason() says why); otherwise next_token() must be fed next.
    core::Result<bool> step(std::span<float> logits, std::string& out);

    // Ends generation early because the context is full: counts as length.
    void end_for_length(std::string& out);

    int32_t next_token() const { return next_; }
    // With options.logprobs: the token the last step sampled, unless it ended
    // the generation (an end-of-generation token is never reported).
    const sampling::StepLogprobs* logprobs() const { return has_logprobs_ ? &logprobs_ : nullptr; }
    FinishReason finish_reason() const { return finish_; }
    uint32_t generated_tokens() const { return generated_; }

  private:
    Completion(const tokenizer::Tokenizer& tokenizer, CompletionOptions options,
               sampling::Sampler sampler, sampling::StopMatcher stops,
               std::optional<grammar::Matcher> matcher);
    void finish(FinishReason reason, std::string& out);
    void read_logprobs(int32_t token);

    const tokenizer::Tokenizer* tokenizer_;
    CompletionOptions options_;
    sampling::Sampler sampler_;
    sampling::StopMatcher stops_;
    sampling::Utf8Assembler utf8_;
    // The grammar's matcher when it holds (always, or from a trigger on).
    grammar::Matcher* active() { return matcher_ && !waiting_ ? &*matcher_ : nullptr; }
    core::Status watch_for_trigger();

    std::optional<grammar::Matcher> matcher_;
    bool waiting_ = false; // a lazy grammar before its trigger
    std::string recent_;   // the output's tail, while waiting
    std::vector<uint8_t> mask_;
    std::string piece_, released_;
    std::vector<float> seen_; // the logits the sampler saw, while logprobs are asked
    sampling::StepLogprobs logprobs_;
    bool has_logprobs_ = false;
    int32_t next_ = -1;
    uint32_t generated_ = 0;
    FinishReason finish_ = FinishReason::kNone;
};

std::string_view finish_reason_name(FinishReason reason);

} // namespace edgeai::engine::session
