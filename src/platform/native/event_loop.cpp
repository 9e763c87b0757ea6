#include "platform/native/event_loop.h"

#include "platform/native/event_loop_impl.h"

#include <boost/asio/post.hpp>

namespace edgeai::platform::native {

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}
EventLoop::~EventLoop() = default;

void EventLoop::post(std::function<void()> work) {
    boost::asio::post(impl_->io, std::move(work));
}

void EventLoop::run() {
    impl_->io.restart();
    impl_->io.run();
}

void EventLoop::stop() {
    impl_->io.stop();
}

} // namespace edgeai::platform::native
