#include "platform/native/system/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgeai::platform::native {

// POSIX reads rather than <fstream>: the one stream in the program would link
// libstdc++'s iostreams and locale (about 350 kB of the release binary).
core::Result<std::string> read_text_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return core::not_found("cannot read " + path + ": " + std::strerror(errno));
    std::string text;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        text.reserve(static_cast<size_t>(st.st_size));
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            text.append(buffer, static_cast<size_t>(n));
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            const int error = errno;
            ::close(fd);
            return core::unavailable("cannot read " + path + ": " + std::strerror(error));
        }
    }
    ::close(fd);
    return text;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string executable_directory() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string path(buf, static_cast<size_t>(n));
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

core::Status make_directories(const std::string& path) {
    if (path.empty()) return core::invalid_argument("empty directory path");
    std::string partial;
    size_t at = 0;
    while (at != std::string::npos) {
        at = path.find('/', at + 1);
        partial = path.substr(0, at);
        if (partial.empty()) continue;
        bool last = at == std::string::npos;
        if (::mkdir(partial.c_str(), last ? 0700 : 0755) != 0 && errno != EEXIST) {
            return core::failed_precondition("cannot create directory " + partial + ": " +
                                             std::strerror(errno));
        }
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return core::failed_precondition(path + " exists and is not a directory");
    }
    return {};
}

} // namespace edgeai::platform::native
