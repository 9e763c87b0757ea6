// The release binary's std::terminate handler, in place of libstdc++'s
// verbose one: the same words about an uncaught exception, without the C++
// demangler the verbose handler pulls in to name the exception's type
// (44 kB of the static libstdc++, bench/size.sh).
//
// libstdc++ keeps the handler in `__cxxabiv1::__terminate_handler`, defined
// alone in eh_term_handler.o of libstdc++.a; defining it here means the
// linker never takes that object, nor the verbose handler and the demangler
// it names. Built only with the static libstdc++ (the release preset): with
// the shared library the definition would be a second one.
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace {

[[noreturn]] void terminate_briefly() {
    if (std::exception_ptr thrown = std::current_exception()) {
        try {
            std::rethrow_exception(thrown);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "edgeai: terminate called after an uncaught exception: %s\n",
                         e.what());
        } catch (...) {
            std::fputs("edgeai: terminate called after an uncaught exception\n", stderr);
        }
    } else {
        std::fputs("edgeai: terminate called without an active exception\n", stderr);
    }
    std::abort();
}

} // namespace

namespace __cxxabiv1 {
std::terminate_handler __terminate_handler = terminate_briefly;
} // namespace __cxxabiv1
