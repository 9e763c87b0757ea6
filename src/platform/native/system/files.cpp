#include "platform/native/system/files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace edgeai::platform::native {

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

} // namespace edgeai::platform::native
