// FileSource port: read-only access to the files of one allow-listed directory
// (the web page's files), so the gateway can serve them without touching the
// file system itself and each platform decides where such files come from.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace edgeai::core {

// Files larger than this are refused: a whole file is held in memory while it
// is sent, and a page's files are far smaller.
constexpr size_t kMaxStaticFileBytes = size_t{8} << 20;

// A path longer than this names no file of a web page; refusing it early keeps
// every later step bounded.
constexpr size_t kMaxRelativePathBytes = 1024;

// True when `path` may be looked up under a FileSource's root: '/'-separated
// segments, none empty, none starting with '.' (so no "." or ".." and no
// dot-files such as .git or .env), each of letters, digits and "-_.~+@" only,
// at most kMaxRelativePathBytes. The character allow-list is what keeps
// backslashes, NUL, '%' (a second round of decoding), ':' and control bytes
// out, whatever the platform makes of them. Implementations of FileSource
// check it themselves; callers check it first to answer without I/O.
bool is_safe_relative_path(std::string_view path);

class FileSource {
  public:
    virtual ~FileSource() = default;

    // The whole content of the regular file at `relative_path` under the root.
    // kNotFound when the path is not safe (above), names nothing, or names
    // something that is not a regular file inside the root (a directory, a
    // device, a FIFO, a symlink leading out); kResourceExhausted when the file
    // is larger than the source's limit; kInternal when reading fails.
    virtual Result<std::string> read(std::string_view relative_path) = 0;

    // The content-coding (RFC 9110, 8.4.1) every file of this source is stored
    // in, such as "gzip" for files compressed when the binary was built; empty
    // when the bytes are the files themselves. The server sends the bytes as
    // they are, with Content-Encoding, and never decodes them itself.
    virtual std::string_view content_coding() const { return {}; }
};

} // namespace edgeai::core
