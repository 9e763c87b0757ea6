// A WorkerPool for tests that starts its threads per run(): simple and
// obviously correct, so engine tests can check that threaded and serial
// forward passes agree without depending on the native pool.
#pragma once

#include "engine/runtime/worker_pool.h"

#if !defined(__wasi__) // WASI has no threads
#include <thread>
#include <vector>

namespace edgeai::engine::testing {

class ThreadedPool final : public WorkerPool {
  public:
    explicit ThreadedPool(int workers) : workers_(workers) {}
    int size() const override { return workers_; }
    void run(Task task, void* context) override {
        std::vector<std::thread> threads;
        for (int w = 1; w < workers_; ++w)
            threads.emplace_back([task, context, w, n = workers_] { task(context, w, n); });
        task(context, 0, workers_);
        for (auto& t : threads)
            t.join();
    }

  private:
    int workers_;
};

} // namespace edgeai::engine::testing

#endif
