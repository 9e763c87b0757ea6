// --chat-template NAME|FILE, shared by serve, run and model template: a
// family name, else the path of a file holding a Jinja chat template.
#pragma once

#include "core/result.h"
#include "engine/chat/model_chat_format.h"

#include <string>

namespace edgeai::platform::native {

using engine::chat::chat_format_for;
using engine::chat::ChatTemplateChoice;

// An empty flag chooses nothing (the model's own template). Errors say the
// value is neither a known name nor a readable file.
core::Result<ChatTemplateChoice> read_chat_template_flag(const std::string& flag);

} // namespace edgeai::platform::native
