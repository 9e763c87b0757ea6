// --chat-template NAME|FILE, shared by serve, run and model template: a
// family name, else the path of a file holding a Jinja chat template.
#pragma once

#include "core/result.h"
#include "engine/chat/chat_format.h"
#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"

#include <string>

namespace edgeai::platform::native {

struct ChatTemplateChoice {
    std::string name;   // a family name
    std::string source; // a Jinja template read from a file
};

// An empty flag chooses nothing (the model's own template). Errors say the
// value is neither a known name nor a readable file.
core::Result<ChatTemplateChoice> read_chat_template_flag(const std::string& flag);

// A model's chat format: the choice when made, else its tokenizer.chat_template.
core::Result<engine::chat::ChatFormat>
chat_format_for(const engine::gguf::GgufFile& gguf, const engine::tokenizer::Tokenizer& tokenizer,
                const ChatTemplateChoice& choice);

} // namespace edgeai::platform::native
