#include "platform/browser/browser_loop.h"

namespace edgeai::platform::browser {

namespace {

constexpr int64_t kNsPerMs = 1000000;

} // namespace

int64_t BrowserLoop::pump(const Hooks& hooks, int64_t budget_ms) {
    const int64_t end_ns = clock().monotonic_ns() + budget_ms * kNsPerMs;
    for (;;) {
        run_ready();
        const bool computing = hooks.has_work();
        if (!computing && !has_tasks()) break;
        // Out of budget, or answers to deliver: back to the browser, so
        // tokens stream and cancels and new requests are read between two
        // steps of a long answer.
        if (clock().monotonic_ns() >= end_ns || hooks.has_output()) return 0;
        if (computing) hooks.step();
    }
    return next_timer_ms();
}

} // namespace edgeai::platform::browser
