// One writer thread behind a queue, for the stores that must not make a
// request wait for the disk (the audit log, usage.db, jobs.db). push() only
// queues under a mutex; the thread takes everything queued as one batch and
// hands it to the store's `write` callback, so a store's cost per batch (a
// transaction, an fsync) is shared by every item in it.
//
// When a batch is taken:
// - at once, when `max_delay` is zero (group commit: whatever queued while
//   the last batch was written goes next);
// - otherwise `max_delay` after the first item arrived, or as soon as
//   `batch_size` are queued, whichever comes first;
// - at once on flush() and on stop().
//
// Memory is bounded: past `max_queued` items or `max_queued_bytes` (the disk
// is stuck or slower than the callers) push() refuses; refusals are counted,
// and each batch is told how many were refused since the batch before, so a
// store can note the gap where it happened. stop() (and the destructor) refuses
// new items, writes every item already queued, then joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace edgeai::platform::native {

template <typename T> class BatchWriter {
  public:
    struct Options {
        std::chrono::milliseconds max_delay{0};
        size_t batch_size = std::numeric_limits<size_t>::max();
        size_t max_queued = std::numeric_limits<size_t>::max();
        size_t max_queued_bytes = std::numeric_limits<size_t>::max();
        // After a burst (a batch that grew past 4 * batch_size) give its
        // buffer back, and glibc's arena of this thread with it, so what a
        // burst took does not stay resident.
        bool release_after_burst = false;
    };

    // Runs on the writer thread, one batch at a time. `batch` is the
    // writer's: the callback may move items out of it; it is cleared after.
    // `refused_before`: pushes refused since the previous batch was taken.
    using Write = std::function<void(std::vector<T>& batch, uint64_t refused_before)>;

    BatchWriter(const Options& options, Write write)
        : options_(options), write_(std::move(write)), thread_([this] { run(); }) {}
    ~BatchWriter() { stop(); }
    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;

    // Thread-safe. Moves from `item` only when it is queued; false (the item
    // left as it was, for its owner to fail) when stopping or full. `bytes`
    // counts against max_queued_bytes.
    bool push(T&& item, size_t bytes = 0) {
        bool wake = false;
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (stopping_ || queue_.size() >= options_.max_queued ||
                queued_bytes_ + bytes > options_.max_queued_bytes) {
                ++refused_;
                ++refused_unreported_;
                return false;
            }
            queue_.push_back(std::move(item));
            queued_bytes_ += bytes;
            ++queued_total_;
            // The writer sleeps until a first item arrives, then until the
            // delay ends or the batch is full; other pushes need not wake it.
            wake = queue_.size() == 1 || queue_.size() == options_.batch_size;
        }
        if (wake) wake_.notify_one();
        return true;
    }

    // Returns once every item queued before the call has been through `write`.
    void flush() {
        std::unique_lock<std::mutex> lock(mu_);
        const uint64_t target = queued_total_;
        if (written_total_ >= target) return;
        flush_now_ = true;
        wake_.notify_one();
        written_.wait(lock, [&] { return written_total_ >= target; });
    }

    // Refuses new items, writes what is queued, joins. Idempotent.
    void stop() {
        {
            std::lock_guard<std::mutex> lock(mu_);
            stopping_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) thread_.join();
    }

    uint64_t refused() const {
        std::lock_guard<std::mutex> lock(mu_);
        return refused_;
    }

  private:
    void run() {
        // Swapped with the queue, so both buffers keep their capacity.
        std::vector<T> batch;
        std::unique_lock<std::mutex> lock(mu_);
        for (;;) {
            wake_.wait(lock, [&] { return stopping_ || flush_now_ || !queue_.empty(); });
            if (!stopping_ && !flush_now_ && options_.max_delay.count() > 0) {
                wake_.wait_for(lock, options_.max_delay, [&] {
                    return stopping_ || flush_now_ || queue_.size() >= options_.batch_size;
                });
            }
            flush_now_ = false;
            if (!queue_.empty()) {
                batch.swap(queue_);
                queued_bytes_ = 0;
                const uint64_t refused_before = refused_unreported_;
                refused_unreported_ = 0;
                lock.unlock();
                write_(batch, refused_before);
                const size_t n = batch.size();
                batch.clear();
                if (options_.release_after_burst && options_.batch_size <= kMaxBurstBase &&
                    batch.capacity() > 4 * options_.batch_size) {
                    std::vector<T>().swap(batch);
#ifdef __GLIBC__
                    // glibc keeps this thread's arena at its high-water mark otherwise.
                    malloc_trim(0);
#endif
                }
                lock.lock();
                written_total_ += n;
            }
            written_.notify_all();
            if (stopping_ && queue_.empty()) return;
        }
    }

    // Above this a batch_size means "no bound": 4 * it would overflow.
    static constexpr size_t kMaxBurstBase = std::numeric_limits<size_t>::max() / 4;

    const Options options_;
    const Write write_;

    mutable std::mutex mu_;
    std::condition_variable wake_;    // the writer: items queued, flush or stop
    std::condition_variable written_; // flush(): a batch is done
    std::vector<T> queue_;
    size_t queued_bytes_ = 0;
    uint64_t queued_total_ = 0;
    uint64_t written_total_ = 0;
    uint64_t refused_ = 0;
    uint64_t refused_unreported_ = 0;
    bool flush_now_ = false;
    bool stopping_ = false;
    std::thread thread_; // last: started once every member above exists
};

} // namespace edgeai::platform::native
