#include "platform/native/system/secret_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace edgeai::platform::native {

core::Result<std::string> read_secret_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return core::failed_precondition("cannot read secret file " + path + ": " +
                                         std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return core::failed_precondition("secret file " + path + " is not a regular file");
    }
    if ((st.st_mode & 0066) != 0) {
        ::close(fd);
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return core::failed_precondition("secret file " + path + " has mode " + mode +
                                         ": group or others may read or write it; run chmod 600 " +
                                         path);
    }
    std::string out;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return core::failed_precondition("cannot read secret file " + path + ": " +
                                             std::strerror(err));
        }
        if (n == 0) break;
        out.append(buffer, static_cast<size_t>(n));
        if (out.size() > (1u << 20)) {
            ::close(fd);
            return core::failed_precondition("secret file " + path + " is larger than 1 MiB");
        }
    }
    ::close(fd);
    return out;
}

core::Status write_secret_file(const std::string& path, std::string_view content) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return core::failed_precondition("cannot create secret file " + path + ": " +
                                         std::strerror(errno));
    }
    size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return core::failed_precondition("cannot write secret file " + path + ": " +
                                             std::strerror(err));
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        return core::failed_precondition("cannot write secret file " + path + ": " +
                                         std::strerror(errno));
    }
    return {};
}

} // namespace edgeai::platform::native
