// Executor port: runs a function later on the thread that owns the caller's
// state (the I/O loop natively, the host's event loop in a browser). Used to
// step out of a callback before tearing down the object that made it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace edgeai::core {

// A pending post_after(); destroying it cancels the work if it has not run.
class Timer {
  public:
    virtual ~Timer() = default;
};

class Executor {
  public:
    virtual ~Executor() = default;
    virtual void post(std::function<void()> work) = 0;
    // Runs `work` after `delay_ms` unless the returned timer is destroyed first.
    virtual std::unique_ptr<Timer> post_after(int64_t delay_ms, std::function<void()> work) = 0;
};

} // namespace edgeai::core
