// The WASI shell's event loop: one thread (this build has none other), WASI
// preview1 only. It runs posted tasks and timers (the Executor port), reads
// the input descriptor when poll_oneoff says it is readable, and between
// reads gives the engine one step at a time, so generation goes on while new
// requests arrive. Under node's WASI, poll_oneoff reports stdin readable only
// with a clock timeout of 1 ms or more (never with 0), so while the engine is
// busy the input is polled with 1 ms at most every kBusyPollMs of compute.
#pragma once

#include "core/clock.h"
#include "core/executor.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace edgeai::platform::wasi {

class WasiLoop final : public core::Executor {
  public:
    // Compute between two looks at the input while the engine is busy.
    static constexpr int64_t kBusyPollMs = 20;

    explicit WasiLoop(const core::Clock& clock) : clock_(clock) {}

    void post(std::function<void()> work) override;
    std::unique_ptr<core::Timer> post_after(int64_t delay_ms, std::function<void()> work) override;

    struct Hooks {
        int input_fd = 0;
        std::function<void(std::string_view)> on_input;
        std::function<void()> on_end_of_input;
        // Computation run between looks at the input (the engine's steps).
        std::function<bool()> has_work;
        std::function<void()> step;
        // After the input ended: true once nothing is left to answer.
        std::function<bool()> idle;
    };
    // Runs until the input has ended and everything is answered.
    void run(const Hooks& hooks);

  private:
    struct TimerEntry {
        int64_t deadline_ns;
        std::shared_ptr<bool> cancelled;
        std::function<void()> work;
    };
    // Runs the posted tasks and the timers that are due; true if any ran.
    bool run_ready();
    // Waits up to timeout_ms for input and hands it over.
    void poll_input(const Hooks& hooks, int64_t timeout_ms);
    // Milliseconds to the next live timer, or -1 when there is none.
    int64_t next_timer_ms() const;

    const core::Clock& clock_;
    std::deque<std::function<void()>> tasks_;
    std::vector<TimerEntry> timers_;
    bool input_ended_ = false;
};

} // namespace edgeai::platform::wasi
