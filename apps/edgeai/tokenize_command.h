// `edgeai tokenize -m FILE`: the token ids a GGUF file's vocabulary gives a
// text, as llama.cpp's llama-tokenize prints them (BOS added and special
// tokens written in the text parsed, unless --no-bos / --no-parse-special).
// Only the tokenizer is loaded, so a vocabulary-only GGUF will do.
#pragma once

#include "cli/args.h"

#include <string>

namespace edgeai::cli {

struct TokenizeFlags {
    std::string model;
    std::string prompt;
    bool batch = false; // texts on stdin, each ended by a NUL byte
    bool no_bos = false;
    bool no_parse_special = false;
};

Command* add_tokenize_command(Command& app, TokenizeFlags& flags);

// Exit codes: 0, 1 (the file cannot be read or has no usable vocabulary).
int run_tokenize_command(const TokenizeFlags& flags);

} // namespace edgeai::cli
