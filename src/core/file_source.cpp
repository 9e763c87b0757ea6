#include "core/file_source.h"

namespace edgeai::core {

namespace {

// Path segments are at most this long on the file systems we run on (NAME_MAX).
constexpr size_t kMaxSegmentBytes = 255;

bool is_allowed_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~' || c == '+' || c == '@';
}

} // namespace

bool is_safe_relative_path(std::string_view path) {
    if (path.empty() || path.size() > kMaxRelativePathBytes) return false;
    size_t segment_start = 0;
    for (size_t i = 0; i <= path.size(); ++i) {
        if (i < path.size() && path[i] != '/') {
            if (!is_allowed_char(path[i])) return false;
            continue;
        }
        const size_t length = i - segment_start;
        // An empty segment is a leading '/' (absolute), "//" or a trailing '/'.
        if (length == 0 || length > kMaxSegmentBytes) return false;
        if (path[segment_start] == '.') return false;
        segment_start = i + 1;
    }
    return true;
}

} // namespace edgeai::core
