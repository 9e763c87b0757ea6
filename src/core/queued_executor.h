// An Executor whose owner drives it: posted tasks and timers wait in queues
// until the owner's loop calls run_ready(). The shells without an event loop
// of their own use it (the WASI stdio shell, the browser worker); each adds
// only how it waits for input. Single-threaded, like those shells.
#pragma once

#include "core/clock.h"
#include "core/executor.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace edgeai::core {

class QueuedExecutor : public Executor {
  public:
    explicit QueuedExecutor(const Clock& clock) : clock_(clock) {}

    void post(std::function<void()> work) override;
    std::unique_ptr<Timer> post_after(int64_t delay_ms, std::function<void()> work) override;

    // Runs the tasks posted so far, then the timers that are due; true if
    // any ran. Tasks posted meanwhile wait for the next call, so a chain of
    // posts cannot keep the owner from its input.
    bool run_ready();
    // Milliseconds to the next live timer, or -1 when there is none.
    int64_t next_timer_ms() const;
    bool has_tasks() const { return !tasks_.empty(); }

  protected:
    const Clock& clock() const { return clock_; }

  private:
    struct TimerEntry {
        int64_t deadline_ns;
        std::shared_ptr<bool> cancelled;
        std::function<void()> work;
    };

    const Clock& clock_;
    std::deque<std::function<void()>> tasks_;
    std::vector<TimerEntry> timers_;
};

} // namespace edgeai::core
