// Ollama's API requests (/api/chat, /api/generate, /api/embed,
// /api/embeddings) turned into OpenAI requests (chat completions, completions,
// embeddings), so every backend serves an Ollama client the one way it serves
// OpenAI's: the local engine, OpenAI-compatible and Anthropic upstreams. The
// answers go back the other way (ollama_answers.h).
#pragma once

#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::api::ollama {

enum class Kind {
    kChat,       // POST /api/chat
    kGenerate,   // POST /api/generate
    kEmbed,      // POST /api/embed
    kEmbeddings, // POST /api/embeddings (the older, single-prompt form)
};

struct TranslatedOllamaRequest {
    Kind kind = Kind::kChat;
    // The model as the client named it (answers echo it) and as the gateway
    // routes it: Ollama's default tag ":latest" taken off.
    std::string requested_model;
    std::string model;
    bool stream = false;
    // "/chat/completions", "/completions" or "/embeddings", and its body.
    std::string backend_path;
    std::string backend_body;
    // /api/generate with an empty prompt only loads the model: answered at
    // once with done_reason "load", no backend asked.
    bool load_only = false;
    // `keep_alive` as sent ("5m", "-1", "0"), checked; empty: not sent.
    std::string keep_alive;
};

// Checks and translates a body; errors name the field in Ollama's names
// ("options.temperature", "messages[1].role").
core::Result<TranslatedOllamaRequest> ollama_to_openai(Kind kind, std::string_view body);

// A model name without Ollama's default tag: "qwen:latest" -> "qwen".
std::string_view without_latest(std::string_view model);

// The `model` (or older `name`) of a body such as /api/show's, without ":latest".
core::Result<std::string> model_of(std::string_view body);

} // namespace edgeai::api::ollama
