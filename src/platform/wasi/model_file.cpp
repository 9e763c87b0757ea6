#include "platform/wasi/model_file.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace edgeai::platform::wasi {

namespace {

// The bytes of a file, 64-byte aligned like a mapping's start.
class FileBuffer final : public engine::model::ModelBytes {
  public:
    FileBuffer(uint8_t* data, size_t size) : data_(data), size_(size) {}
    ~FileBuffer() override { std::free(data_); }
    FileBuffer(const FileBuffer&) = delete;
    FileBuffer& operator=(const FileBuffer&) = delete;
    std::span<const uint8_t> bytes() const override { return {data_, size_}; }

  private:
    uint8_t* data_;
    size_t size_;
};

core::Status open_error(const std::string& path) {
    const int err = errno;
    std::string message = "cannot open " + path + ": " + std::strerror(err);
    if (err == ENOTCAPABLE || err == ENOENT)
        message += " (the WASI runtime sees only the directories it preopens: give the model's "
                   "directory to it, e.g. --dir with wasmtime, and use the path inside it)";
    return core::not_found(message);
}

} // namespace

core::Result<std::unique_ptr<engine::model::LoadedModel>>
load_local_model(const std::string& path, const engine::model::LoadedModel::LoadOptions& options) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return open_error(path);
    long size = -1;
    if (std::fseek(f, 0, SEEK_END) == 0) size = std::ftell(f);
    if (size < 0 || std::fseek(f, 0, SEEK_SET) != 0) {
        std::fclose(f);
        return core::unavailable("cannot read the size of " + path);
    }
    const size_t n = static_cast<size_t>(size);
    auto* data = static_cast<uint8_t*>(std::aligned_alloc(64, (n + 63) / 64 * 64 + 64));
    if (data == nullptr) {
        std::fclose(f);
        return core::resource_exhausted(path + " (" + std::to_string(n >> 20) +
                                        " MiB) does not fit in the module's memory");
    }
    auto buffer = std::make_unique<FileBuffer>(data, n);
    const size_t got = std::fread(data, 1, n, f);
    std::fclose(f);
    if (got != n) return core::unavailable("cannot read " + path + ": it ended early");
    return engine::model::LoadedModel::load(std::move(buffer), path, options);
}

core::Result<std::string> read_text_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return open_error(path);
    std::string text;
    char chunk[4096];
    size_t got;
    while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0)
        text.append(chunk, got);
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) return core::unavailable("cannot read " + path);
    return text;
}

} // namespace edgeai::platform::wasi
