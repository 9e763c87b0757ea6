#include "core/embedded_file_source.h"

namespace edgeai::core {

Result<std::string> EmbeddedFileSource::read(std::string_view relative_path) {
    // The table holds a handful of files: a scan is cheaper than any index.
    if (is_safe_relative_path(relative_path)) {
        for (const EmbeddedFile& f : files_) {
            if (relative_path == f.path) {
                return std::string(reinterpret_cast<const char*>(f.data), f.size);
            }
        }
    }
    return not_found("no such file");
}

} // namespace edgeai::core
