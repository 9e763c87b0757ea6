#include "platform/native/system/process_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace edgeai::platform::native {

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

uint64_t physical_memory_bytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

} // namespace edgeai::platform::native
