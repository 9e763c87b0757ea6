// A GGUF file opened for its metadata and vocabulary only (no weights
// loaded): what `tokenize` and `model template` need, and all a
// vocabulary-only file has.
#pragma once

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"
#include "platform/native/engine/mapped_file.h"

#include <memory>
#include <optional>
#include <string>

namespace edgeai::cli {

// The parsed file and tokenizer hold views into the mapping, so the three
// live together on the heap.
struct VocabFile {
    platform::native::MappedFile file;
    std::optional<engine::gguf::GgufFile> gguf;
    std::optional<engine::tokenizer::Tokenizer> tokenizer;
};

// Null after printing the error, which names the file.
std::unique_ptr<VocabFile> open_vocab_file(const std::string& path);

} // namespace edgeai::cli
