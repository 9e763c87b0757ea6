#include "platform/native/engine/engine_worker.h"

namespace edgeai::platform::native {

EngineWorker::EngineWorker(const engine::model::Model& model,
                           const engine::tokenizer::Tokenizer& tokenizer, int threads,
                           engine::session::SchedulerConfig config, core::Executor& loop)
    : pool_(threads), engine_(model, tokenizer, pool_, config, loop), thread_([this] { main(); }) {}

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
                       !embeddings_.empty() || engine_.has_work() || (refusing_ && !refusing);
            });
            if (stopping_) return;
            submits.swap(submits_);
            cancels.swap(cancels_);
            embeddings.swap(embeddings_);
            refusing = refusing_;
        }
        for (EmbeddingJob& job : embeddings)
            engine_.embed(std::move(job.inputs), std::move(job.sink));
        embeddings.clear();
        // Submissions before cancels: a request cancelled right after it was
        // sent is started and dropped in the same turn.
        for (Submission& s : submits)
            engine_.start(s.ticket, std::move(s.prompt), std::move(s.options), std::move(s.sink));
        submits.clear();
        for (uint64_t t : cancels)
            engine_.cancel(t);
        cancels.clear();
        if (refusing) engine_.refuse_waiting(*refusing);
        if (engine_.has_work()) engine_.step();
    }
}

} // namespace edgeai::platform::native
