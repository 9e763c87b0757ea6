// A FileSource over files compiled into the program as byte arrays: the web
// console's files, gzipped at build time (cmake/embed_files.cmake). Plain
// data and no I/O, so it serves on every platform the core builds for.
#pragma once

#include "core/file_source.h"

#include <cstddef>
#include <span>
#include <string_view>

namespace edgeai::core {

// One file: its path relative to the source's root and its stored bytes.
// Constant-initialised, so a table of them costs no start-up work.
struct EmbeddedFile {
    const char* path;
    const unsigned char* data;
    size_t size;
};

class EmbeddedFileSource final : public FileSource {
  public:
    // `files` must outlive the source (the generated tables are static);
    // `coding` is what every file is stored in ("gzip"), empty for none.
    EmbeddedFileSource(std::span<const EmbeddedFile> files, std::string_view coding)
        : files_(files), coding_(coding) {}

    // kNotFound for an unsafe path and for any path not in the table: the
    // same answer a directory gives, so callers treat both sources alike.
    Result<std::string> read(std::string_view relative_path) override;
    std::string_view content_coding() const override { return coding_; }

  private:
    std::span<const EmbeddedFile> files_;
    std::string_view coding_;
};

} // namespace edgeai::core
