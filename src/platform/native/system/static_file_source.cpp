#include "platform/native/system/static_file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace edgeai::platform::native {

namespace {

// Intermediate directories are only walked through, never read: O_PATH needs
// no read permission on them and cannot have side effects.
#ifdef O_PATH
constexpr int kDirectoryFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#else
constexpr int kDirectoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#endif
// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer and
// stall the loop; fstat then refuses it. O_NOCTTY: a terminal never becomes ours.
constexpr int kFileFlags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

// Room added when a file turns out longer than fstat said (it is being
// written): enough to find its end in few reads.
constexpr size_t kGrowBytes = size_t{64} << 10;

class Fd {
  public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd& operator=(Fd&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

// realpath(3) into a std::string; empty when it fails (errno set).
std::string resolve(const std::string& path) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) return {};
    std::string out(resolved);
    std::free(resolved);
    return out;
}

core::Status no_such_file() {
    return core::not_found("no such file");
}

} // namespace

core::Result<std::unique_ptr<StaticFileSource>> StaticFileSource::open(const std::string& root,
                                                                       size_t max_file_bytes) {
    const std::string what = "server.static_dir '" + root + "'";
    if (root.empty()) return core::failed_precondition(what + " is empty");
    std::string resolved = resolve(root);
    if (resolved.empty()) {
        return core::failed_precondition(what + " cannot be used: " + std::strerror(errno) +
                                         "; create the directory or fix the path");
    }
    if (resolved == "/") {
        return core::failed_precondition(what + " is the root directory; name the directory "
                                                "that holds only the web page's files");
    }
    Fd fd(::open(resolved.c_str(), kDirectoryFlags));
    if (fd.get() < 0) {
        return core::failed_precondition(
            what + " is not a directory that can be opened: " + std::strerror(errno));
    }
    return std::unique_ptr<StaticFileSource>(
        new StaticFileSource(std::move(resolved), fd.release(), max_file_bytes));
}

StaticFileSource::~StaticFileSource() {
    ::close(root_fd_);
}

core::Result<std::string> StaticFileSource::read(std::string_view relative_path) {
    if (!core::is_safe_relative_path(relative_path)) return no_such_file();
    const std::string resolved = resolve(root_ + "/" + std::string(relative_path));
    if (resolved.size() <= root_.size() + 1 || resolved.compare(0, root_.size(), root_) != 0 ||
        resolved[root_.size()] != '/')
        return no_such_file();
    // Symlinks inside the root may lead to another name inside it; that name
    // must pass the same check (no dot-directory reached through a link).
    const std::string_view inside = std::string_view(resolved).substr(root_.size() + 1);
    if (!core::is_safe_relative_path(inside)) return no_such_file();

    Fd dir;
    int at = root_fd_;
    std::string_view rest = inside;
    for (size_t slash = rest.find('/'); slash != std::string_view::npos; slash = rest.find('/')) {
        const std::string name(rest.substr(0, slash));
        Fd next(::openat(at, name.c_str(), kDirectoryFlags));
        if (next.get() < 0) return no_such_file();
        dir = std::move(next);
        at = dir.get();
        rest.remove_prefix(slash + 1);
    }
    Fd file(::openat(at, std::string(rest).c_str(), kFileFlags));
    if (file.get() < 0) return no_such_file();

    struct stat st {};
    if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) return no_such_file();
    if (st.st_size < 0 || static_cast<uint64_t>(st.st_size) > max_file_bytes_) {
        return core::resource_exhausted(
            "'" + std::string(relative_path) + "' has " + std::to_string(st.st_size) +
            " bytes; static files are served up to " + std::to_string(max_file_bytes_));
    }

    std::string content;
    content.resize(static_cast<size_t>(st.st_size));
    size_t filled = 0;
    // The file may grow between fstat and the last read: read until the end,
    // but never past the limit.
    for (;;) {
        if (filled == content.size()) {
            if (filled > max_file_bytes_) {
                return core::resource_exhausted("'" + std::string(relative_path) +
                                                "' grew past the static file limit of " +
                                                std::to_string(max_file_bytes_) + " bytes");
            }
            content.resize(std::min(filled + kGrowBytes, max_file_bytes_ + 1));
        }
        const ssize_t n = ::read(file.get(), content.data() + filled, content.size() - filled);
        if (n < 0) {
            if (errno == EINTR) continue;
            return core::internal_error("cannot read '" + std::string(relative_path) +
                                        "': " + std::strerror(errno));
        }
        if (n == 0) break;
        filled += static_cast<size_t>(n);
    }
    content.resize(filled);
    return content;
}

} // namespace edgeai::platform::native
