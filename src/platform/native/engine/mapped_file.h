// A file mapped read-only into memory: how models are loaded natively (the
// engine reads GGUF from a byte span; pages come in as the forward pass first
// touches them, and stay shared with the page cache rather than copied).
#pragma once

#include "core/result.h"

#include <cstdint>
#include <span>
#include <string>

namespace edgeai::platform::native {

class MappedFile {
  public:
    static core::Result<MappedFile> open(const std::string& path);

    MappedFile() = default;
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    std::span<const uint8_t> bytes() const { return {data_, size_}; }
    // Drops the whole pages inside [data, data + size) from this process's
    // resident memory (they stay readable: a later read faults them back in
    // from the file or the page cache). For bytes that were copied elsewhere.
    void release(const uint8_t* data, size_t size) const;
    const std::string& path() const { return path_; }

  private:
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    std::string path_;
};

} // namespace edgeai::platform::native
