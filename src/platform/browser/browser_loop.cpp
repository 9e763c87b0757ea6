#include "platform/browser/browser_loop.h"

#include <algorithm>

namespace edgeai::platform::browser {

namespace {

class TimerHandle final : public core::Timer {
  public:
    explicit TimerHandle(std::shared_ptr<bool> cancelled) : cancelled_(std::move(cancelled)) {}
    ~TimerHandle() override { *cancelled_ = true; }

  private:
    std::shared_ptr<bool> cancelled_;
};

constexpr int64_t kNsPerMs = 1000000;

} // namespace

void BrowserLoop::post(std::function<void()> work) {
    tasks_.push_back(std::move(work));
}

std::unique_ptr<core::Timer> BrowserLoop::post_after(int64_t delay_ms, std::function<void()> work) {
    auto cancelled = std::make_shared<bool>(false);
    timers_.push_back({clock_.monotonic_ns() + std::max<int64_t>(0, delay_ms) * kNsPerMs, cancelled,
                       std::move(work)});
    return std::make_unique<TimerHandle>(std::move(cancelled));
}

void BrowserLoop::run_ready() {
    // Tasks posted while these run wait for the next turn, so a chain of
    // posts cannot keep the worker from its messages.
    std::deque<std::function<void()>> now;
    now.swap(tasks_);
    for (auto& task : now)
        task();
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
    for (auto& timer : due)
        if (!*timer.cancelled) timer.work();
}

int64_t BrowserLoop::next_timer_ms() const {
    int64_t next = -1;
    const int64_t t = clock_.monotonic_ns();
    for (const TimerEntry& timer : timers_) {
        if (*timer.cancelled) continue;
        const int64_t ms = std::max<int64_t>(0, (timer.deadline_ns - t) / kNsPerMs);
        if (next < 0 || ms < next) next = ms;
    }
    return next;
}

int64_t BrowserLoop::pump(const Hooks& hooks, int64_t budget_ms) {
    const int64_t end_ns = clock_.monotonic_ns() + budget_ms * kNsPerMs;
    for (;;) {
        run_ready();
        const bool computing = hooks.has_work();
        if (!computing && tasks_.empty()) break;
        // Out of budget, or answers to deliver: back to the browser, so
        // tokens stream and cancels and new requests are read between two
        // steps of a long answer.
        if (clock_.monotonic_ns() >= end_ns || hooks.has_output()) return 0;
        if (computing) hooks.step();
    }
    return next_timer_ms();
}

} // namespace edgeai::platform::browser
