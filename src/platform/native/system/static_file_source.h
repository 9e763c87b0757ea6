// StaticFileSource: the FileSource port over one allow-listed directory. Only
// regular files inside it are read: the path is checked
// (core::is_safe_relative_path), resolved with realpath(3) and must stay under
// the root's own resolved path (a symlink inside may point elsewhere inside,
// never out), and the resolved path is then opened one component at a time
// from the root with O_NOFOLLOW, so a symlink swapped in after the check is
// refused rather than followed.
#pragma once

#include "core/file_source.h"
#include "core/result.h"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace edgeai::platform::native {

class StaticFileSource final : public core::FileSource {
  public:
    // `root` must be an existing directory other than "/"; it is resolved once,
    // here. kFailedPrecondition with the reason otherwise.
    static core::Result<std::unique_ptr<StaticFileSource>>
    open(const std::string& root, size_t max_file_bytes = core::kMaxStaticFileBytes);

    ~StaticFileSource() override;
    StaticFileSource(const StaticFileSource&) = delete;
    StaticFileSource& operator=(const StaticFileSource&) = delete;

    core::Result<std::string> read(std::string_view relative_path) override;

    // The root's resolved path.
    const std::string& root() const { return root_; }

  private:
    StaticFileSource(std::string root, int root_fd, size_t max_file_bytes)
        : root_(std::move(root)), root_fd_(root_fd), max_file_bytes_(max_file_bytes) {}

    std::string root_;
    int root_fd_;
    size_t max_file_bytes_;
};

} // namespace edgeai::platform::native
