// The native event loop: one Asio io_context that the HTTP server, the upstream
// client and the signal handlers share, run on one thread. Asio stays behind
// this pimpl so apps/ and tests see only our types.
#pragma once

#include "core/executor.h"

#include <functional>
#include <memory>

namespace edgeai::platform::native {

class EventLoop final : public core::Executor {
  public:
    EventLoop();
    ~EventLoop() override;

    void post(std::function<void()> work) override;
    std::unique_ptr<core::Timer> post_after(int64_t delay_ms, std::function<void()> work) override;
    // Runs handlers until stop() or until nothing is left to do.
    void run();
    void stop();

    struct Impl;
    Impl& impl() { return *impl_; }

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace edgeai::platform::native
