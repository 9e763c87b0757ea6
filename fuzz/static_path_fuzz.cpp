// Hostile paths under /ui/: whatever the bytes, the decoded path either is
// refused or is one the FileSource contract accepts, with no segment that
// climbs, hides (a dot-file), or escapes the root, and nothing left to decode.
#include "core/file_source.h"
#include "gateway/static_files.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view tail(reinterpret_cast<const char*>(data), size);
    auto path = edgeai::gateway::static_file_path(tail);
    if (!path.ok()) return 0;
    const std::string_view p = *path;
    if (!edgeai::core::is_safe_relative_path(p)) __builtin_trap();
    if (p.empty() || p.front() == '/' || p.back() == '/') __builtin_trap();
    if (p.find_first_of(std::string_view("%\\\0:", 4)) != std::string_view::npos) __builtin_trap();
    if (p.find("..") == 0 || p.find("/.") != std::string_view::npos || p.front() == '.')
        __builtin_trap();
    (void)edgeai::gateway::static_content_type(p);
    return 0;
}
