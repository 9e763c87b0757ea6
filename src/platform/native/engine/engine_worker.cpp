#include "platform/native/engine/engine_worker.h"

#include "engine/kernels/kernel_table.h"
#include "engine/session/embedding.h"

#include <string>

namespace edgeai::platform::native {

using engine::session::FinishReason;

// Called by the scheduler on the engine thread; hands each event to the loop.
class EngineWorker::Relay final : public engine::session::SequenceSink {
  public:
    Relay(EngineWorker& owner, uint64_t ticket, std::shared_ptr<SequenceSink> target)
        : owner_(owner), ticket_(ticket), target_(std::move(target)) {}

    void on_text(std::string_view text) override {
        owner_.loop_.post([t = target_, s = std::string(text)] { t->on_text(s); });
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
    EngineWorker& owner_;
    uint64_t ticket_;
    std::shared_ptr<SequenceSink> target_;
};

EngineWorker::EngineWorker(const engine::model::Model& model,
                           const engine::tokenizer::Tokenizer& tokenizer, int threads,
                           engine::session::SchedulerConfig config, core::Executor& loop)
    : loop_(loop), pool_(threads),
      scheduler_(model, tokenizer, pool_, engine::kernels::best_kernels(), config), model_(model),
      config_(config), thread_([this] { main(); }) {}

EngineWorker::~EngineWorker() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

uint64_t EngineWorker::submit(std::vector<int32_t> prompt,
                              engine::session::CompletionOptions options,
                              std::shared_ptr<engine::session::SequenceSink> sink) {
    uint64_t ticket;
    {
        std::lock_guard<std::mutex> lock(mu_);
        ticket = next_ticket_++;
        submits_.push_back({ticket, std::move(prompt), std::move(options), std::move(sink)});
    }
    wake_.notify_one();
    return ticket;
}

void EngineWorker::cancel(uint64_t ticket) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        cancels_.push_back(ticket);
    }
    wake_.notify_one();
}

void EngineWorker::embed(std::vector<std::vector<int32_t>> inputs,
                         std::shared_ptr<router::EmbeddingSink> sink) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        embeddings_.push_back({std::move(inputs), std::move(sink)});
    }
    wake_.notify_one();
}

void EngineWorker::run_embedding(EmbeddingJob& job) {
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

void EngineWorker::take_requests(std::vector<Submission>& submits, std::vector<uint64_t>& cancels) {
    for (Submission& s : submits) {
        auto relay = std::make_unique<Relay>(*this, s.ticket, s.sink);
        auto id = scheduler_.submit(std::move(s.prompt), std::move(s.options), relay.get());
        if (!id.ok()) {
            relay->on_error(id.status());
            finished_.clear();
            continue;
        }
        live_.emplace(s.ticket, Live{*id, std::move(relay)});
    }
    for (uint64_t t : cancels) {
        auto it = live_.find(t);
        if (it == live_.end()) continue;
        scheduler_.cancel(it->second.id);
        live_.erase(it);
    }
}

void EngineWorker::refuse_waiting(core::Status why) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        refusing_ = std::move(why);
    }
    wake_.notify_one();
}

void EngineWorker::main() {
    std::vector<Submission> submits;
    std::vector<uint64_t> cancels;
    std::vector<EmbeddingJob> embeddings;
    std::optional<core::Status> refusing;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mu_);
            wake_.wait(lock, [&] {
                return stopping_ || !submits_.empty() || !cancels_.empty() ||
                       !embeddings_.empty() || scheduler_.has_work() || (refusing_ && !refusing);
            });
            if (stopping_) return;
            submits.swap(submits_);
            cancels.swap(cancels_);
            embeddings.swap(embeddings_);
            refusing = refusing_;
        }
        for (EmbeddingJob& job : embeddings)
            run_embedding(job);
        embeddings.clear();
        take_requests(submits, cancels);
        submits.clear();
        cancels.clear();
        if (refusing) {
            scheduler_.refuse_waiting(*refusing);
            for (uint64_t t : finished_)
                live_.erase(t);
            finished_.clear();
        }
        if (!scheduler_.has_work()) continue;
        scheduler_.step();
        for (uint64_t t : finished_)
            live_.erase(t);
        finished_.clear();
    }
}

} // namespace edgeai::platform::native
