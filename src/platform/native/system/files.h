// Plain files and directories; secrets have their own file (secret_files.h).
#pragma once

#include "core/result.h"

#include <string>

namespace edgeai::platform::native {

core::Result<std::string> read_text_file(const std::string& path);
bool file_exists(const std::string& path);

// The directory this program's binary is in (for files installed beside
// it); empty when it cannot be told.
std::string executable_directory();

// Creates the directory and its parents (mode 0700 for the last one).
core::Status make_directories(const std::string& path);

} // namespace edgeai::platform::native
