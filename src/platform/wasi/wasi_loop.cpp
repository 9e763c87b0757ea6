#include "platform/wasi/wasi_loop.h"

#include <wasi/api.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace edgeai::platform::wasi {

namespace {

constexpr size_t kReadBytes = 64 * 1024;
constexpr int64_t kIdleWaitMs = 1000;

} // namespace

void WasiLoop::poll_input(const Hooks& hooks, int64_t timeout_ms) {
    __wasi_subscription_t subs[2] = {};
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[0].u.u.fd_read.file_descriptor = static_cast<__wasi_fd_t>(hooks.input_fd);
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    // Never 0: node's WASI then reports only the clock.
    subs[1].u.u.clock.timeout =
        static_cast<__wasi_timestamp_t>(std::max<int64_t>(1, timeout_ms)) * 1000000;
    __wasi_event_t events[2] = {};
    __wasi_size_t n = 0;
    if (__wasi_poll_oneoff(subs, events, 2, &n) != 0) return;
    bool readable = false;
    for (__wasi_size_t i = 0; i < n; ++i)
        if (events[i].userdata == 1) readable = true;
    if (!readable) return;
    char buffer[kReadBytes];
    const ssize_t got = ::read(hooks.input_fd, buffer, sizeof buffer);
    if (got > 0) {
        hooks.on_input(std::string_view(buffer, static_cast<size_t>(got)));
        return;
    }
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
    input_ended_ = true;
    hooks.on_end_of_input();
}

void WasiLoop::run(const Hooks& hooks) {
    int64_t last_poll_ns = clock().monotonic_ns();
    for (;;) {
        run_ready();
        const bool computing = hooks.has_work();
        if (input_ended_ && !has_tasks() && !computing && hooks.idle()) return;
        if (computing) {
            const int64_t t = clock().monotonic_ns();
            if (!input_ended_ && t - last_poll_ns >= kBusyPollMs * 1000000) {
                poll_input(hooks, 1);
                last_poll_ns = clock().monotonic_ns();
            }
            hooks.step();
            continue;
        }
        if (has_tasks()) continue;
        const int64_t timer_ms = next_timer_ms();
        if (!input_ended_) {
            poll_input(hooks, timer_ms < 0 ? kIdleWaitMs : std::min(timer_ms, kIdleWaitMs));
            last_poll_ns = clock().monotonic_ns();
            continue;
        }
        // The input is over and answers still wait on a timer: sleep to it.
        // Nothing left to wait for means nothing will finish them.
        if (timer_ms < 0) return;
        __wasi_subscription_t sub = {};
        sub.u.tag = __WASI_EVENTTYPE_CLOCK;
        sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        sub.u.u.clock.timeout =
            static_cast<__wasi_timestamp_t>(std::max<int64_t>(1, timer_ms)) * 1000000;
        __wasi_event_t event = {};
        __wasi_size_t n = 0;
        (void)__wasi_poll_oneoff(&sub, &event, 1, &n);
    }
}

} // namespace edgeai::platform::wasi
