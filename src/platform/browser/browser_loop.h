// The browser worker's event loop, turned inside out: a worker must return to
// the browser to receive messages, so nothing here blocks. The worker's
// script calls pump() whenever a message arrived or a timer it was told of is
// due; pump() runs posted tasks and due timers (the Executor port), then
// engine steps for at most a time budget or until answers wait, and says
// when to call it again.
#pragma once

#include "core/clock.h"
#include "core/executor.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace edgeai::platform::browser {

class BrowserLoop final : public core::Executor {
  public:
    explicit BrowserLoop(const core::Clock& clock) : clock_(clock) {}

    void post(std::function<void()> work) override;
    std::unique_ptr<core::Timer> post_after(int64_t delay_ms, std::function<void()> work) override;

    struct Hooks {
        std::function<bool()> has_work; // the engine has a step to run
        std::function<void()> step;     // one step of the engine
        // True when answers wait to be taken: pump() then returns at once, so
        // each token reaches the page as it is made, not a budget's worth at
        // a time.
        std::function<bool()> has_output;
    };
    // What pump() wants: 0 to be called again as soon as the worker has
    // looked at its messages, a delay in ms for the next timer, or -1 when
    // only a new message can bring work.
    int64_t pump(const Hooks& hooks, int64_t budget_ms);

  private:
    struct TimerEntry {
        int64_t deadline_ns;
        std::shared_ptr<bool> cancelled;
        std::function<void()> work;
    };
    void run_ready();
    int64_t next_timer_ms() const;

    const core::Clock& clock_;
    std::deque<std::function<void()>> tasks_;
    std::vector<TimerEntry> timers_;
};

} // namespace edgeai::platform::browser
