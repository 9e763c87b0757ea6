// Internal to platform/native: the Asio object behind EventLoop.
#pragma once

#include "platform/native/http/event_loop.h"

#include <boost/asio/io_context.hpp>

namespace edgeai::platform::native {

struct EventLoop::Impl {
    // One thread runs the loop and owns every socket, so the reactor's per-I/O
    // locks are skipped; the scheduler keeps its lock for work posted from
    // other threads (the resolver's, later the engine's compute pool).
    boost::asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
};

} // namespace edgeai::platform::native
