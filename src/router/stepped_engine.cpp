#include "router/stepped_engine.h"

#include "engine/kernels/kernel_table.h"
#include "engine/session/embedding.h"

#include <string>

namespace edgeai::router {

using engine::session::FinishReason;

// Called by the scheduler inside step(); hands each event to the loop.
class SteppedEngine::Relay final : public engine::session::SequenceSink {
  public:
    Relay(SteppedEngine& owner, uint64_t ticket, std::shared_ptr<SequenceSink> target)
        : owner_(owner), ticket_(ticket), target_(std::move(target)) {}

    void on_text(std::string_view text) override {
        owner_.loop_.post([t = target_, s = std::string(text)] { t->on_text(s); });
    }
    void on_logprobs(const engine::sampling::StepLogprobs& logprobs) override {
        owner_.loop_.post([t = target_, lp = logprobs] { t->on_logprobs(lp); });
    }
    void on_finish(FinishReason reason, uint32_t prompt, uint32_t completion) override {
        owner_.loop_.post([t = target_, reason, prompt, completion] {
            t->on_finish(reason, prompt, completion);
        });
        owner_.finished_.push_back(ticket_);
    }
    void on_error(const core::Status& status) override {
        owner_.loop_.post([t = target_, status] { t->on_error(status); });
        owner_.finished_.push_back(ticket_);
    }

  private:
    SteppedEngine& owner_;
    uint64_t ticket_;
    std::shared_ptr<SequenceSink> target_;
};

SteppedEngine::SteppedEngine(const engine::model::Model& model,
                             const engine::tokenizer::Tokenizer& tokenizer,
                             engine::WorkerPool& pool, engine::session::SchedulerConfig config,
                             core::Executor& loop)
    : loop_(loop), pool_(pool), model_(model), config_(config),
      scheduler_(model, tokenizer, pool, engine::kernels::best_kernels(), config) {}

SteppedEngine::~SteppedEngine() = default;

uint64_t SteppedEngine::submit(std::vector<int32_t> prompt,
                               engine::session::CompletionOptions options,
                               std::shared_ptr<engine::session::SequenceSink> sink) {
    const uint64_t ticket = next_ticket_++;
    start(ticket, std::move(prompt), std::move(options), std::move(sink));
    return ticket;
}

void SteppedEngine::start(uint64_t ticket, std::vector<int32_t> prompt,
                          engine::session::CompletionOptions options,
                          std::shared_ptr<engine::session::SequenceSink> sink) {
    auto relay = std::make_unique<Relay>(*this, ticket, sink);
    auto id = scheduler_.submit(std::move(prompt), std::move(options), relay.get());
    if (!id.ok()) {
        // Refused at once: said from the loop, never inside submit().
        relay->on_error(id.status());
        finished_.clear();
        return;
    }
    live_.emplace(ticket, Live{*id, std::move(relay)});
}

void SteppedEngine::refuse_waiting(const core::Status& why) {
    scheduler_.refuse_waiting(why);
    forget_finished();
}

void SteppedEngine::cancel(uint64_t ticket) {
    auto it = live_.find(ticket);
    if (it == live_.end()) return;
    scheduler_.cancel(it->second.id);
    live_.erase(it);
}

void SteppedEngine::embed(std::vector<std::vector<int32_t>> inputs,
                          std::shared_ptr<EmbeddingSink> sink) {
    embeddings_.push_back({std::move(inputs), std::move(sink)});
}

void SteppedEngine::run_embedding(EmbeddingJob& job) {
    if (!embed_forward_) {
        embed_forward_ = std::make_unique<engine::model::Forward>(
            model_, pool_, engine::kernels::best_kernels(), kEmbedBatch, config_.n_ctx);
        embed_cache_ = std::make_unique<engine::model::KvCache>(
            model_.config(), config_.n_ctx, engine::model::KvType::kF32, kEmbedBatch);
    }
    std::vector<std::vector<float>> vectors;
    uint32_t tokens = 0;
    for (const auto& input : job.inputs) {
        auto v = engine::session::embed_tokens(*embed_forward_, *embed_cache_, input);
        if (!v.ok()) {
            loop_.post([sink = job.sink, status = v.status()] { sink->on_error(status); });
            return;
        }
        tokens += static_cast<uint32_t>(input.size());
        vectors.push_back(std::move(*v));
    }
    loop_.post([sink = job.sink, vectors = std::move(vectors), tokens]() mutable {
        sink->on_embeddings(std::move(vectors), tokens);
    });
}

void SteppedEngine::step() {
    // Embeddings take a turn before each pass, so a stream and an embeddings
    // request both move.
    if (!embeddings_.empty()) {
        EmbeddingJob job = std::move(embeddings_.front());
        embeddings_.pop_front();
        run_embedding(job);
    }
    if (!scheduler_.has_work()) return;
    scheduler_.step();
    forget_finished();
}

void SteppedEngine::forget_finished() {
    for (uint64_t t : finished_)
        live_.erase(t);
    finished_.clear();
}

} // namespace edgeai::router
