#include "vocab_file.h"

#include "cli_output.h"

namespace edgeai::cli {

std::unique_ptr<VocabFile> open_vocab_file(const std::string& path) {
    auto file = platform::native::MappedFile::open(path);
    if (!file.ok()) {
        print_error(file.status().message());
        return nullptr;
    }
    auto vocab = std::make_unique<VocabFile>(VocabFile{std::move(*file), {}, {}});
    auto gguf = engine::gguf::GgufFile::parse(vocab->file.bytes());
    if (!gguf.ok()) {
        print_error(path + ": " + gguf.status().message());
        return nullptr;
    }
    vocab->gguf.emplace(std::move(*gguf));
    auto tok = engine::tokenizer::Tokenizer::from_gguf(*vocab->gguf);
    if (!tok.ok()) {
        print_error(path + ": " + tok.status().message());
        return nullptr;
    }
    vocab->tokenizer.emplace(std::move(*tok));
    return vocab;
}

} // namespace edgeai::cli
