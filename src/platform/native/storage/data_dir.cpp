#include "platform/native/storage/data_dir.h"

#include "platform/native/system/files.h"

#include <sys/stat.h>

#include <cstdio>

namespace edgeai::platform::native {

core::Status open_data_dir(const std::string& dir) {
    // Before the first file: umask applies when a file is created, and
    // SQLite creates the -wal and -shm files later, on its own.
    ::umask(077);
    return make_directories(dir);
}

std::string data_dir_exposure(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return {};
    const mode_t group = st.st_mode & 070, other = st.st_mode & 07;
    if (group == 0 && other == 0) return {};
    auto what = [](mode_t bits, mode_t r, mode_t w) {
        std::string s;
        if (bits & r) s = "readable";
        if (bits & w) s += s.empty() ? "writable" : " and writable";
        return s.empty() ? std::string("searchable") : s;
    };
    std::string out = dir + " is ";
    if (group != 0) out += what(group, 040, 020) + " by its group";
    if (group != 0 && other != 0) out += " and ";
    if (other != 0) out += what(other, 04, 02) + " by other users";
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return out + " (mode " + mode + "); run 'chmod 700 " + dir + "'";
}

} // namespace edgeai::platform::native
