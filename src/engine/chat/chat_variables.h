// The template variables of an OpenAI-shaped chat request: its messages,
// tools and chat_template_kwargs, read from the request's JSON.
#pragma once

#include "codec/json/json_document.h"
#include "core/result.h"
#include "engine/chat/chat_format.h"

namespace edgeai::engine::chat {

struct ChatJsonOptions {
    // Serving: a message's content becomes one string (text parts joined by
    // newlines, null as ""), which every template can print; llama.cpp's
    // server does the same. The CLI passes messages as written, as Hugging
    // Face would.
    bool content_as_text = true;
};

// `messages` (an array of objects), `tools` (an array, or absent/null) and
// `kwargs` (an object of extra variables, or absent/null). Errors name the
// field ("chat_template_kwargs.messages": a kwarg may not replace a variable
// the request sets itself).
core::Result<ChatVariables> chat_variables_from_json(codec::JsonValue messages,
                                                     codec::JsonValue tools,
                                                     codec::JsonValue kwargs,
                                                     const ChatJsonOptions& options = {});

} // namespace edgeai::engine::chat
