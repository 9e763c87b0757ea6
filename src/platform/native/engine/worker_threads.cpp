#include "platform/native/engine/worker_threads.h"

#include <sched.h>

namespace edgeai::platform::native {
namespace {

// Iterations a thread polls before it sleeps on a futex: some microseconds,
// about the gap between two matmuls of a forward pass. Longer spins cost
// dearly when the cores are shared (a spinning worker takes the CPU the
// thread it waits for needs).
constexpr int kSpinIterations = 4000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

} // namespace

WorkerThreads::WorkerThreads(int threads) : size_(threads < 1 ? 1 : threads) {
    threads_.reserve(static_cast<size_t>(size_ - 1));
    for (int i = 1; i < size_; ++i)
        threads_.emplace_back([this, i] { worker_main(i); });
}

WorkerThreads::~WorkerThreads() {
    stopping_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& t : threads_)
        t.join();
}

int WorkerThreads::default_threads() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

void WorkerThreads::run(Task task, void* context) {
    if (size_ == 1) {
        task(context, 0, 1);
        return;
    }
    task_ = task;
    context_ = context;
    pending_.store(size_ - 1, std::memory_order_relaxed);
    // seq_cst on both sides: either we see a sleeper and wake it, or the
    // sleeper's wait() sees the new generation and does not sleep.
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) generation_.notify_all();
    task(context, 0, size_);
    for (int spins = 0; spins < kSpinIterations; ++spins) {
        if (pending_.load(std::memory_order_acquire) == 0) return;
        cpu_relax();
    }
    for (int left = pending_.load(std::memory_order_acquire); left != 0;
         left = pending_.load(std::memory_order_acquire))
        pending_.wait(left, std::memory_order_acquire);
}

void WorkerThreads::worker_main(int index) {
    // Generation 0 is the one before any task: reading the counter here instead
    // could miss a task posted before this thread got going.
    uint32_t seen = 0;
    for (;;) {
        uint32_t now = generation_.load(std::memory_order_acquire);
        for (int spins = 0; now == seen && spins < kSpinIterations; ++spins) {
            cpu_relax();
            now = generation_.load(std::memory_order_acquire);
        }
        if (now == seen) {
            sleepers_.fetch_add(1);
            generation_.wait(seen);
            sleepers_.fetch_sub(1);
            now = generation_.load(std::memory_order_acquire);
        }
        seen = now;
        if (stopping_.load()) return;
        task_(context_, index, size_);
        // The last worker to finish wakes the caller if it went to sleep
        // (notify costs nothing when nobody waits).
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
}

} // namespace edgeai::platform::native
