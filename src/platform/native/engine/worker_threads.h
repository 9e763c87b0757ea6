// The native WorkerPool: threads started once and kept for the pool's life.
// Between tasks a worker spins briefly (a forward pass hands out a new task
// every few microseconds), then sleeps on a futex so an idle server costs no
// CPU. The caller's thread is worker 0, so N threads means N-1 started.
#pragma once

#include "engine/runtime/worker_pool.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace edgeai::platform::native {

class WorkerThreads final : public engine::WorkerPool {
  public:
    explicit WorkerThreads(int threads);
    ~WorkerThreads() override;
    WorkerThreads(const WorkerThreads&) = delete;
    WorkerThreads& operator=(const WorkerThreads&) = delete;

    int size() const override { return size_; }
    void run(Task task, void* context) override;

    // The number of threads to use when the user gives none: the CPUs this
    // process may run on.
    static int default_threads();

  private:
    void worker_main(int index);

    int size_;
    std::vector<std::thread> threads_;
    Task task_ = nullptr;
    void* context_ = nullptr;
    std::atomic<uint32_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<bool> stopping_{false};
};

} // namespace edgeai::platform::native
