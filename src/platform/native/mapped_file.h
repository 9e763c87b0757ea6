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
    const std::string& path() const { return path_; }

  private:
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    std::string path_;
};

} // namespace edgeai::platform::native
