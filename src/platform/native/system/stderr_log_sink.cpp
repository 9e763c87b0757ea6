#include "platform/native/system/stderr_log_sink.h"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace edgeai::platform::native {

void StderrLogSink::write_line(std::string_view line) {
    std::string buf;
    buf.reserve(line.size() + 1);
    buf.append(line);
    buf.push_back('\n');
    const char* p = buf.data();
    size_t left = buf.size();
    while (left > 0) {
        ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; // nowhere to report a broken stderr
        p += n;
        left -= static_cast<size_t>(n);
    }
}

} // namespace edgeai::platform::native
