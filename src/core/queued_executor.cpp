#include "core/queued_executor.h"

#include <algorithm>

namespace edgeai::core {

namespace {

class CancelOnDestroy final : public Timer {
  public:
    explicit CancelOnDestroy(std::shared_ptr<bool> cancelled) : cancelled_(std::move(cancelled)) {}
    ~CancelOnDestroy() override { *cancelled_ = true; }

  private:
    std::shared_ptr<bool> cancelled_;
};

constexpr int64_t kNsPerMs = 1000000;

} // namespace

void QueuedExecutor::post(std::function<void()> work) {
    tasks_.push_back(std::move(work));
}

std::unique_ptr<Timer> QueuedExecutor::post_after(int64_t delay_ms, std::function<void()> work) {
    auto cancelled = std::make_shared<bool>(false);
    timers_.push_back({clock_.monotonic_ns() + std::max<int64_t>(0, delay_ms) * kNsPerMs, cancelled,
                       std::move(work)});
    return std::make_unique<CancelOnDestroy>(std::move(cancelled));
}

bool QueuedExecutor::run_ready() {
    bool ran = false;
    std::deque<std::function<void()>> now;
    now.swap(tasks_);
    for (auto& task : now) {
        task();
        ran = true;
    }
    const int64_t t = clock_.monotonic_ns();
    std::vector<TimerEntry> due;
    for (auto it = timers_.begin(); it != timers_.end();) {
        if (*it->cancelled) {
            it = timers_.erase(it);
        } else if (it->deadline_ns <= t) {
            due.push_back(std::move(*it));
            it = timers_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& timer : due) {
        // An earlier timer's work may have cancelled this one.
        if (*timer.cancelled) continue;
        timer.work();
        ran = true;
    }
    return ran;
}

int64_t QueuedExecutor::next_timer_ms() const {
    int64_t next = -1;
    const int64_t t = clock_.monotonic_ns();
    for (const TimerEntry& timer : timers_) {
        if (*timer.cancelled) continue;
        const int64_t ms = std::max<int64_t>(0, (timer.deadline_ns - t) / kNsPerMs);
        if (next < 0 || ms < next) next = ms;
    }
    return next;
}

} // namespace edgeai::core
