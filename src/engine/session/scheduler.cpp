#include "engine/session/scheduler.h"

#include <algorithm>

namespace edgeai::engine::session {

uint32_t context_per_sequence(int64_t ctx_total, uint32_t parallel, uint32_t n_ctx_train) {
    constexpr uint32_t kDefaultMax = 4096;
    if (ctx_total <= 0) return n_ctx_train < kDefaultMax ? n_ctx_train : kDefaultMax;
    const int64_t each = ctx_total / (parallel == 0 ? 1 : parallel);
    return each > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(each);
}

Scheduler::Scheduler(const model::Model& model, const tokenizer::Tokenizer& tokenizer,
                     WorkerPool& pool, const kernels::KernelTable& kernels, SchedulerConfig config)
    : model_(model), tokenizer_(tokenizer), config_(config),
      forward_(model, pool, kernels, config.max_batch, config.n_ctx) {
    config_.parallel = std::max(1u, config_.parallel);
    config_.prompt_chunk = std::max(1u, std::min(config_.prompt_chunk, config_.max_batch));
    slots_.resize(config_.parallel);
    for (Slot& s : slots_)
        s.cache = std::make_unique<model::KvCache>(model.config(), config_.n_ctx, config_.kv_type,
                                                   config_.max_batch);
    // A pass asks for at most one row of logits per sequence, and a sequence
    // holds a slot: a batch of 256 prompt tokens needs one row, not 256.
    logits_.resize(size_t{config_.parallel} * model.config().n_vocab);
}

core::Result<Scheduler::SequenceId>
Scheduler::submit(std::vector<int32_t> prompt, CompletionOptions options, SequenceSink* sink) {
    if (prompt.empty()) return core::invalid_argument("the prompt has no tokens");
    const uint64_t needed = prompt.size() + uint64_t{options.max_tokens};
    if (prompt.size() >= config_.n_ctx || needed > config_.n_ctx) {
        core::Status st = core::invalid_argument(
            "This model's maximum context length is " + std::to_string(config_.n_ctx) +
            " tokens. However, you requested " + std::to_string(needed) + " tokens (" +
            std::to_string(prompt.size()) + " in the messages, " +
            std::to_string(options.max_tokens) +
            " in the completion). Please reduce the length of the messages or completion.");
        return st.with_field("context_length_exceeded");
    }
    if (waiting_.size() >= config_.max_queued)
        return core::resource_exhausted(
            "the local model is busy: " + std::to_string(waiting_.size()) +
            " requests are already waiting");
    EDGEAI_ASSIGN_OR_RETURN(Completion completion,
                            Completion::create(tokenizer_, std::move(options)));
    EDGEAI_TRY(completion.set_prompt(prompt));
    const SequenceId id = next_id_++;
    waiting_.push_back(std::unique_ptr<Sequence>(
        new Sequence{id, std::move(prompt), std::move(completion), sink}));
    return id;
}

void Scheduler::refuse_waiting(const core::Status& why) {
    std::deque<std::unique_ptr<Sequence>> refused;
    refused.swap(waiting_);
    for (auto& seq : refused)
        seq->sink->on_error(why);
}

void Scheduler::cancel(SequenceId id) {
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it)
        if ((*it)->id == id) {
            waiting_.erase(it);
            return;
        }
    for (auto it = active_.begin(); it != active_.end(); ++it)
        if ((*it)->id == id) {
            (*it)->slot->busy = false;
            active_.erase(it);
            return;
        }
}

void Scheduler::admit_waiting() {
    while (!waiting_.empty()) {
        Sequence& seq = *waiting_.front();
        Slot* best = nullptr;
        size_t best_common = 0;
        for (Slot& s : slots_) {
            if (s.busy) continue;
            size_t common = 0;
            while (common < s.tokens.size() && common < seq.prompt.size() &&
                   s.tokens[common] == seq.prompt[common])
                ++common;
            if (best == nullptr || common > best_common) {
                best = &s;
                best_common = common;
            }
        }
        if (best == nullptr) return;
        // The last prompt token is always fed: its logits start generation.
        best_common = std::min(best_common, seq.prompt.size() - 1);
        best_common = best->cache->reusable(static_cast<uint32_t>(best_common));
        best->cache->rewind(static_cast<uint32_t>(best_common));
        best->busy = true;
        best->tokens.resize(best_common);
        seq.slot = best;
        seq.fed = best_common;
        active_.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
    }
}

void Scheduler::finish(Sequence& seq, FinishReason reason) {
    (void)reason;
    seq.slot->busy = false;
}

void Scheduler::step() {
    admit_waiting();
    if (active_.empty()) return;
    batch_.clear();
    const uint32_t n_vocab = model_.config().n_vocab;
    size_t rows_with_logits = 0;
    // Generating sequences first: one token each.
    for (auto& s : active_) {
        Sequence& seq = *s;
        seq.wants_logits = false;
        if (!seq.generating || batch_.size() >= config_.max_batch) continue;
        const auto pos = static_cast<uint32_t>(seq.slot->tokens.size());
        batch_.push_back({seq.slot->cache.get(), seq.completion.next_token(), pos, true});
        seq.slot->tokens.push_back(seq.completion.next_token());
        seq.wants_logits = true;
        seq.logits_row = rows_with_logits++;
    }
    // Then prompt chunks, starting with a different sequence each step.
    for (size_t k = 0; k < active_.size() && batch_.size() < config_.max_batch; ++k) {
        Sequence& seq = *active_[(turn_ + k) % active_.size()];
        if (seq.generating) continue;
        const size_t room = config_.max_batch - batch_.size();
        const size_t take =
            std::min({room, size_t{config_.prompt_chunk}, seq.prompt.size() - seq.fed});
        for (size_t i = 0; i < take; ++i) {
            const bool last = seq.fed + 1 == seq.prompt.size();
            const auto pos = static_cast<uint32_t>(seq.slot->tokens.size());
            batch_.push_back({seq.slot->cache.get(), seq.prompt[seq.fed], pos, last});
            seq.slot->tokens.push_back(seq.prompt[seq.fed]);
            ++seq.fed;
            if (last) {
                seq.wants_logits = true;
                seq.logits_row = rows_with_logits++;
            }
        }
    }
    ++turn_;
    core::Status st = forward_.decode(batch_, logits_.data());
    // Before any answer goes out, so whoever reads the metrics after an
    // answer sees the positions it left.
    publish_cached_tokens();
    // Logits rows come in batch order; generating rows were added first, and
    // prompt rows in turn order, which is the order logits_row was assigned.
    std::vector<std::unique_ptr<Sequence>> still;
    still.reserve(active_.size());
    for (auto& s : active_) {
        Sequence& seq = *s;
        if (!st.ok()) {
            seq.slot->tokens.clear(); // the cache may be half written
            seq.slot->busy = false;
            seq.sink->on_error(st);
            continue;
        }
        if (!seq.wants_logits) {
            still.push_back(std::move(s));
            continue;
        }
        seq.generating = true;
        text_.clear();
        std::span<float> row(logits_.data() + seq.logits_row * size_t{n_vocab}, n_vocab);
        auto done = seq.completion.step(row, text_);
        if (!done.ok()) {
            seq.slot->busy = false;
            seq.sink->on_error(done.status());
            continue;
        }
        bool finished = *done;
        if (!finished && seq.slot->tokens.size() >= config_.n_ctx) {
            seq.completion.end_for_length(text_);
            finished = true;
        }
        if (const sampling::StepLogprobs* lp = seq.completion.logprobs())
            seq.sink->on_logprobs(*lp);
        if (!text_.empty()) seq.sink->on_text(text_);
        if (finished) {
            finish(seq, seq.completion.finish_reason());
            seq.sink->on_finish(seq.completion.finish_reason(),
                                static_cast<uint32_t>(seq.prompt.size()),
                                seq.completion.generated_tokens());
            continue;
        }
        still.push_back(std::move(s));
    }
    active_ = std::move(still);
    publish_cached_tokens(); // a failed pass emptied its slots
}

void Scheduler::publish_cached_tokens() {
    size_t held = 0;
    for (const Slot& slot : slots_)
        held += slot.tokens.size();
    cached_tokens_.store(held, std::memory_order_relaxed);
}

} // namespace edgeai::engine::session
