// Internal to platform/native: the Asio object behind EventLoop.
#pragma once

#include "platform/native/event_loop.h"

#include <boost/asio/io_context.hpp>

namespace edgeai::platform::native {

struct EventLoop::Impl {
    // Concurrency hint 1: one thread runs the loop, so Asio can skip its locks.
    boost::asio::io_context io{1};
};

} // namespace edgeai::platform::native
