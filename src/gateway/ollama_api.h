// Ollama's API on the gateway's port (/api/*): chat, generate and embeddings
// translated into OpenAI requests that any backend serves (api/ollama) and
// their answers back (router/ollama_translator); the model list, show and ps
// are /v1/models' answers in Ollama's shape (Exchange::respond converts them).
#pragma once

#include "gateway/route_context.h"

namespace edgeai::gateway {

core::Status decode_ollama_chat(RouteContext& ctx);
core::Status decode_ollama_generate(RouteContext& ctx);
core::Status decode_ollama_embed(RouteContext& ctx);
core::Status decode_ollama_embeddings(RouteContext& ctx);
core::Status decode_ollama_show(RouteContext& ctx);

std::unique_ptr<RequestTask> handle_ollama_inference(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_ollama_version(RouteContext& ctx);

} // namespace edgeai::gateway
