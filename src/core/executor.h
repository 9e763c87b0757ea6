// Executor port: runs a function later on the thread that owns the caller's
// state (the I/O loop natively, the host's event loop in a browser). Used to
// step out of a callback before tearing down the object that made it.
#pragma once

#include <functional>

namespace edgeai::core {

class Executor {
  public:
    virtual ~Executor() = default;
    virtual void post(std::function<void()> work) = 0;
};

} // namespace edgeai::core
