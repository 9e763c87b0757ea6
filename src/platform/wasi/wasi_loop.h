// The WASI shell's event loop: one thread (this build has none other), WASI
// preview1 only. It runs posted tasks and timers (the Executor port), reads
// the input descriptor when poll_oneoff says it is readable, and between
// reads gives the engine one step at a time, so generation goes on while new
// requests arrive. Under node's WASI, poll_oneoff reports stdin readable only
// with a clock timeout of 1 ms or more (never with 0), so while the engine is
// busy the input is polled with 1 ms at most every kBusyPollMs of compute.
#pragma once

#include "core/queued_executor.h"

#include <cstdint>
#include <functional>
#include <string_view>

namespace edgeai::platform::wasi {

class WasiLoop final : public core::QueuedExecutor {
  public:
    // Compute between two looks at the input while the engine is busy.
    static constexpr int64_t kBusyPollMs = 20;

    explicit WasiLoop(const core::Clock& clock) : QueuedExecutor(clock) {}

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
    // Waits up to timeout_ms for input and hands it over.
    void poll_input(const Hooks& hooks, int64_t timeout_ms);

    bool input_ended_ = false;
};

} // namespace edgeai::platform::wasi
