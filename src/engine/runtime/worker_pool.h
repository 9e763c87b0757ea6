// The port through which the engine gets threads (the core starts none). A pool
// runs one task on all its workers at once and returns when every worker has
// finished; the caller's own thread is worker 0. The native pool keeps its
// threads alive between calls (a forward pass calls run() a few dozen times
// per token, so starting threads per call would cost more than the work).
#pragma once

namespace edgeai::engine {

class WorkerPool {
  public:
    using Task = void (*)(void* context, int worker, int workers);

    virtual ~WorkerPool() = default;
    virtual int size() const = 0;
    virtual void run(Task task, void* context) = 0;

    // parallel([&](int worker, int workers) { ... }): the lambda runs on every worker.
    template <typename F> void parallel(F&& body) {
        run([](void* c, int worker, int workers) { (*static_cast<F*>(c))(worker, workers); },
            &body);
    }
};

// One worker: the caller. For WASI, tests and single-threaded devices.
class SerialPool final : public WorkerPool {
  public:
    int size() const override { return 1; }
    void run(Task task, void* context) override { task(context, 0, 1); }
};

// The half-open share [begin, end) of n items that `worker` of `workers` takes.
struct Share {
    unsigned begin;
    unsigned end;
};
inline Share share_of(unsigned n, int worker, int workers) {
    const auto w = static_cast<unsigned>(worker), ws = static_cast<unsigned>(workers);
    return {n * w / ws, n * (w + 1) / ws};
}

} // namespace edgeai::engine
