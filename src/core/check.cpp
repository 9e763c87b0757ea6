#include "core/check.h"

#include <cstdlib>

namespace edgeai::core {

namespace {

CheckFailureHandler g_handler = nullptr;

} // namespace

void set_check_failure_handler(CheckFailureHandler handler) {
    g_handler = handler;
}

void check_failed(const char* condition, const char* file, int line, std::string_view message) {
    if (g_handler != nullptr) g_handler(condition, file, line, message);
    std::abort();
}

} // namespace edgeai::core
