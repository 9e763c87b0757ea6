// The browser worker's event loop, turned inside out: a worker must return to
// the browser to receive messages, so nothing here blocks. The worker's
// script calls pump() whenever a message arrived or a timer it was told of is
// due; pump() runs posted tasks and due timers (the Executor port), then
// engine steps for at most a time budget or until answers wait, and says
// when to call it again.
#pragma once

#include "core/queued_executor.h"

#include <cstdint>
#include <functional>

namespace edgeai::platform::browser {

class BrowserLoop final : public core::QueuedExecutor {
  public:
    explicit BrowserLoop(const core::Clock& clock) : QueuedExecutor(clock) {}

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
};

} // namespace edgeai::platform::browser
