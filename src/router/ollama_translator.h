// The ResponseTranslator for a client that spoke Ollama's API (/api/chat,
// /api/generate, /api/embed, /api/embeddings) to a backend that answers as
// OpenAI does (api/ollama does the translating; this adapts it to the observer).
#pragma once

#include "api/ollama/ollama_answers.h"
#include "router/translating_observer.h"

#include <memory>

namespace edgeai::router {

std::unique_ptr<ResponseTranslator>
make_openai_to_ollama_translator(api::ollama::OllamaFrame frame);

} // namespace edgeai::router
