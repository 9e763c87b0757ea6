// The web console's files (ui/ in the source tree), gzipped and compiled in
// at build time (cmake/embed_files.cmake), served at /ui/ unless
// server.static_dir names a directory of the operator's own.
#pragma once

#include "core/embedded_file_source.h"

#include <span>

namespace edgeai::platform::native {

std::span<const core::EmbeddedFile> console_files();

} // namespace edgeai::platform::native
