// A loaded model's chat format: a family or a Jinja template the user chose
// (--chat-template), else the model's own tokenizer.chat_template.
#pragma once

#include "core/result.h"
#include "engine/chat/chat_format.h"
#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"

#include <functional>
#include <string>

namespace edgeai::engine::chat {

struct ChatTemplateChoice {
    std::string name;   // a family name
    std::string source; // a Jinja template read from a file
};

// How a platform reads a file the user named.
using TextFileReader = std::function<core::Result<std::string>(const std::string& path)>;

// --chat-template NAME|FILE: a family name, else the path of a Jinja file.
// An empty flag chooses nothing (the model's own template). Errors say the
// value is neither a known name nor a readable file.
core::Result<ChatTemplateChoice> chat_template_choice(const std::string& flag,
                                                      const TextFileReader& read_text_file);

// The choice when made, else the model's tokenizer.chat_template.
core::Result<ChatFormat> chat_format_for(const gguf::GgufFile& gguf,
                                         const tokenizer::Tokenizer& tokenizer,
                                         const ChatTemplateChoice& choice);

} // namespace edgeai::engine::chat
