#include "platform/native/system.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

extern char** environ;

namespace edgeai::platform::native {

int64_t SystemClock::monotonic_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int64_t SystemClock::unix_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

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

std::vector<std::pair<std::string, std::string>> environment_variables() {
    std::vector<std::pair<std::string, std::string>> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view entry(*e);
        size_t eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        out.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    return out;
}

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v == nullptr ? std::string() : std::string(v);
}

core::Result<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::not_found("cannot read " + path + ": " + std::strerror(errno));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
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

std::string default_data_dir() {
    // systemd's StateDirectory= sets this; it may list several, the first is ours.
    std::string state = env_or_empty("STATE_DIRECTORY");
    if (!state.empty()) return state.substr(0, state.find(':'));
    std::string xdg = env_or_empty("XDG_DATA_HOME");
    if (!xdg.empty()) return xdg + "/edgeai";
    std::string home = env_or_empty("HOME");
    if (!home.empty()) return home + "/.local/share/edgeai";
    return "./edgeai-data";
}

std::string find_default_config_file() {
    std::vector<std::string> candidates = {"./edgeai.toml"};
    std::string xdg = env_or_empty("XDG_CONFIG_HOME");
    std::string home = env_or_empty("HOME");
    if (!xdg.empty()) {
        candidates.push_back(xdg + "/edgeai/edgeai.toml");
    } else if (!home.empty()) {
        candidates.push_back(home + "/.config/edgeai/edgeai.toml");
    }
    candidates.push_back("/etc/edgeai/edgeai.toml");
    for (const std::string& c : candidates) {
        if (file_exists(c)) return c;
    }
    return {};
}

int64_t resident_memory_bytes() {
    int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[128];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    long long pages_total = 0;
    long long pages_resident = 0;
    if (std::sscanf(buf, "%lld %lld", &pages_total, &pages_resident) != 2) return 0;
    return static_cast<int64_t>(pages_resident) * ::sysconf(_SC_PAGESIZE);
}

uint64_t random_seed() {
    std::random_device rd;
    uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    return seed ^ static_cast<uint64_t>(SystemClock().monotonic_ns());
}

core::Result<std::string> random_bytes(size_t count) {
    std::string out(count, '\0');
    size_t filled = 0;
    while (filled < count) {
        const ssize_t n = ::getrandom(out.data() + filled, count - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return core::Status(core::StatusCode::kInternal,
                                std::string("getrandom failed: ") + std::strerror(errno));
        }
        filled += static_cast<size_t>(n);
    }
    return out;
}

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
