// Checks for programmers, never for input (outside bytes, config, network and
// disk get a Status). EDGEAI_CHECK stays fatal in every build, for states we
// cannot continue from; EDGEAI_ASSERT documents an invariant and is checked
// in debug, ASan and test builds only (compiled out with NDEBUG), so say in a
// comment beside it why it holds.
#pragma once

#include <string_view>

namespace edgeai::core {

// Reports a failed check, then ends the process. The core cannot print (it
// has no I/O), so the platform installs a handler that does (natively: to
// stderr); it must not return. Without one the process aborts silently.
using CheckFailureHandler = void (*)(const char* condition, const char* file, int line,
                                     std::string_view message);
void set_check_failure_handler(CheckFailureHandler handler);

[[noreturn]] void check_failed(const char* condition, const char* file, int line,
                               std::string_view message);

} // namespace edgeai::core

#define EDGEAI_CHECK_MSG(condition, message)                                                       \
    do {                                                                                           \
        if (!(condition)) ::edgeai::core::check_failed(#condition, __FILE__, __LINE__, (message)); \
    } while (0)
#define EDGEAI_CHECK(condition) EDGEAI_CHECK_MSG(condition, std::string_view())

#ifdef NDEBUG
#define EDGEAI_ASSERT_MSG(condition, message)                                                      \
    do {                                                                                           \
    } while (0)
#else
#define EDGEAI_ASSERT_MSG(condition, message) EDGEAI_CHECK_MSG(condition, message)
#endif
#define EDGEAI_ASSERT(condition) EDGEAI_ASSERT_MSG(condition, std::string_view())
