#include "platform/native/http/event_loop.h"

#include "platform/native/http/event_loop_impl.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace edgeai::platform::native {
namespace {

// Cancelling the Asio timer runs its handler with operation_aborted, which
// then skips the work: the work's captures may be gone by then.
class AsioTimer final : public core::Timer {
  public:
    explicit AsioTimer(boost::asio::io_context& io) : timer_(io) {}
    ~AsioTimer() override { timer_.cancel(); }
    boost::asio::steady_timer& timer() { return timer_; }

  private:
    boost::asio::steady_timer timer_;
};

} // namespace

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}
EventLoop::~EventLoop() = default;

void EventLoop::post(std::function<void()> work) {
    boost::asio::post(impl_->io, std::move(work));
}

std::unique_ptr<core::Timer> EventLoop::post_after(int64_t delay_ms, std::function<void()> work) {
    auto timer = std::make_unique<AsioTimer>(impl_->io);
    timer->timer().expires_after(std::chrono::milliseconds(delay_ms));
    timer->timer().async_wait([work = std::move(work)](const boost::system::error_code& ec) {
        if (!ec) work();
    });
    return timer;
}

void EventLoop::run() {
    impl_->io.restart();
    impl_->io.run();
}

void EventLoop::stop() {
    impl_->io.stop();
}

} // namespace edgeai::platform::native
