// Chat template families. A GGUF model carries its chat format as a Jinja
// template (tokenizer.chat_template); we do not run Jinja but recognise the
// family from substrings that only its templates contain and format the
// conversation with our own code for that family (see chat_template.h).
// Detection order and signatures follow llama.cpp's llm_chat_detect_template,
// so a model formats here as it does there.
#pragma once

#include "core/result.h"

#include <optional>
#include <span>
#include <string_view>

namespace edgeai::engine::chat {

enum class TemplateFamily {
    kChatml,    // <|im_start|>role\n … <|im_end|> (Qwen, OpenHermes, many others)
    kLlama2,    // [INST] <<SYS>> … <</SYS>> … [/INST], Meta's Llama-2-chat
    kLlama3,    // <|start_header_id|>role<|end_header_id|> … <|eot_id|>
    kZephyr,    // <|user|>\n … EOS (Zephyr, TinyLlama-Chat, StableLM-Zephyr)
    kPhi3,      // <|user|>\n … <|end|>
    kPhi4,      // <|im_start|>role<|im_sep|> … <|im_end|>
    kGemma,     // <start_of_turn>user|model … <end_of_turn>, system folded into user
    kMistral,   // Mistral-7B-Instruct v0.1/v0.2 and Mixtral: [INST] … [/INST] without <<SYS>>
    kMistralV1, // Mistral's "v1" template: " [INST] … [/INST] answer</s>"
    kMistralV3, // "v3": [INST] … [/INST], system before the last user message
    kMistralV3Tekken, // "v3-tekken": as v3 without the spaces (Mistral-Nemo)
    kMistralV7,       // "v7": [SYSTEM_PROMPT] … [/SYSTEM_PROMPT] (Mistral-Large-2411)
    kMistralV7Tekken, // "v7-tekken": as v7 without the spaces (Mistral-Small-3)
};

// The name --chat-template takes and logs print ("chatml", "llama-3", …).
std::string_view family_name(TemplateFamily family);

// The family for a --chat-template NAME; also accepts llama.cpp's spellings
// where they mean the same format ("llama3", "phi3", "phi4").
std::optional<TemplateFamily> family_from_name(std::string_view name);

// Every family name, in the order help and errors list them.
std::span<const std::string_view> family_names();

// The family of a model's tokenizer.chat_template. An empty or unrecognised
// template is kFailedPrecondition: the message says so and that
// --chat-template NAME overrides, listing the names.
core::Result<TemplateFamily> detect_family(std::string_view jinja_template);

// Text markers that end an assistant turn, besides the model's EOS token: the
// server stops on them (as tokens, since they are special tokens, or as text)
// and never sends them. Empty for the families whose turns end with EOS.
std::span<const std::string_view> end_of_turn_markers(TemplateFamily family);

} // namespace edgeai::engine::chat
