// Formats a conversation as the prompt text a model was trained on.
//
// BOS convention: the returned text never begins with the BOS token. Whether a
// prompt starts with BOS is decided in one place only, the tokenizer, from the
// model's metadata (tokenizer.ggml.add_bos_token, or the tokenizer type's
// default) — as llama.cpp does for GGUF models. Templates that start with
// {{ bos_token }} (Llama 3, Gemma, Mistral) belong to models whose metadata
// asks for BOS, so they still get exactly one; writing it here as well would
// give two. bos_text is used only where a family repeats BOS inside the
// history (Llama 2 begins every turn after the first with it), and eos_text
// where a turn ends with EOS (Llama 2, Mistral, Zephyr).
//
// The prompt is meant to be encoded with special-token parsing on, so the
// markers written here (<|im_start|>, [INST], …) become their special tokens.
// Message content goes in verbatim, so marker text inside content is parsed
// the same way, as llama.cpp does too.
#pragma once

#include "core/result.h"
#include "engine/chat/template_family.h"

#include <span>
#include <string>
#include <string_view>

namespace edgeai::engine::chat {

struct ChatMessage {
    // "system", "user" or "assistant"; "developer" (OpenAI's newer name for
    // system) is taken as system. Tool messages are refused: these formats
    // carry no tool results.
    std::string_view role;
    std::string_view content;
};

// The prompt for `messages`. add_generation_prompt appends the opening of an
// assistant turn (e.g. "<|im_start|>assistant\n") so the model writes the
// reply; the [INST] families (Llama 2, Mistral) have no such opening, as their
// prompt already ends with [/INST] where the reply starts. Errors name the
// message at fault ("messages[2].role").
core::Result<std::string> apply_template(TemplateFamily family,
                                         std::span<const ChatMessage> messages,
                                         bool add_generation_prompt, std::string_view bos_text,
                                         std::string_view eos_text);

} // namespace edgeai::engine::chat
