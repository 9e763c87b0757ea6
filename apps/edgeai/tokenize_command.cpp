#include "tokenize_command.h"

#include "cli_output.h"
#include "vocab_file.h"

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"
#include "platform/native/engine/mapped_file.h"

#include <cstdio>

namespace edgeai::cli {

namespace {

void print_ids(const std::vector<int32_t>& ids) {
    std::string line;
    for (int32_t id : ids) {
        if (!line.empty()) line.push_back(' ');
        line += std::to_string(id);
    }
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
}

} // namespace

Command* add_tokenize_command(Command& app, TokenizeFlags& f) {
    Command* c = app.add_subcommand("tokenize", "Print the token ids of a text");
    c->add_option("-m,--model", f.model, "GGUF file (a vocabulary-only file will do)").required();
    c->add_option("-p,--prompt", f.prompt, "Text to tokenize");
    // NUL is the one byte no test string or prompt needs, so any text,
    // newlines included, passes through unescaped.
    c->add_flag("--batch", f.batch,
                "Tokenize each NUL-terminated text on stdin; one line of ids each");
    c->add_flag("--no-bos", f.no_bos, "Do not add BOS/EOS, whatever the vocabulary says");
    c->add_flag("--no-parse-special", f.no_parse_special,
                "Text spelling a control token (<|im_start|>, <s>) stays text");
    return c;
}

int run_tokenize_command(const TokenizeFlags& f) {
    const auto vocab = open_vocab_file(f.model);
    if (!vocab) return kExitRuntime;
    const engine::tokenizer::Tokenizer* tok = &*vocab->tokenizer;
    const bool add_special = !f.no_bos;
    const bool parse_special = !f.no_parse_special;
    if (!f.batch) {
        print_ids(tok->encode(f.prompt, add_special, parse_special));
        return kExitOk;
    }
    std::string text;
    bool pending = false;
    for (int ch; (ch = std::fgetc(stdin)) != EOF;) {
        pending = true;
        if (ch != '\0') {
            text.push_back(static_cast<char>(ch));
            continue;
        }
        print_ids(tok->encode(text, add_special, parse_special));
        text.clear();
        pending = false;
    }
    // A last text without its NUL counts too.
    if (pending) print_ids(tok->encode(text, add_special, parse_special));
    return kExitOk;
}

} // namespace edgeai::cli
