// LocalEngine port: where the local backend sends token sequences to be
// generated. Natively a thread runs the engine's scheduler; the sink's
// callbacks always come on the caller's loop thread, never inside submit().
#pragma once

#include "core/result.h"
#include "engine/session/completion.h"
#include "engine/session/scheduler.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace edgeai::router {

// Receives the vectors of an embeddings request, on the loop thread.
class EmbeddingSink {
  public:
    virtual ~EmbeddingSink() = default;
    virtual void on_embeddings(std::vector<std::vector<float>> vectors, uint32_t tokens) = 0;
    virtual void on_error(const core::Status& status) = 0;
};

class LocalEngine {
  public:
    virtual ~LocalEngine() = default;
    // The sink is kept alive until its on_finish / on_error, or cancel().
    virtual uint64_t submit(std::vector<int32_t> prompt, engine::session::CompletionOptions options,
                            std::shared_ptr<engine::session::SequenceSink> sink) = 0;
    // After cancel() no callback comes for the ticket.
    virtual void cancel(uint64_t ticket) = 0;
    // One vector per input (see engine/session/embedding.h for the pooling).
    virtual void embed(std::vector<std::vector<int32_t>> inputs,
                       std::shared_ptr<EmbeddingSink> sink) = 0;
    // KV-cache positions in use (answers under way and prefixes kept for
    // reuse), for the metrics; read from the loop while the engine runs.
    virtual size_t kv_cache_tokens() const { return 0; }
};

} // namespace edgeai::router
