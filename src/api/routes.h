// The gateway's endpoints: what each route is called in metrics and logs, and
// which API's error shape it answers in. The table of paths, methods, scopes
// and handlers is gateway/route_table.cpp.
#pragma once

#include <string_view>

namespace edgeai::api {

enum class Endpoint {
    kNone,
    kRoot,
    kHealthz,
    kReadyz,
    kMetrics,
    kModels,
    kModel, // /v1/models/{id}
    kChatCompletions,
    kCompletions,
    kEmbeddings,
    kMessages,            // Anthropic's Messages API
    kMessagesCountTokens, // POST /v1/messages/count_tokens: Anthropic's token count
    kResponses,           // POST /v1/responses: OpenAI's Responses API
    kResponse,            // /v1/responses/{id}: a stored response, read or deleted
    kResponseInputItems,  // GET /v1/responses/{id}/input_items
    kUsage,               // usage summaries
    kJobs,                // /v1/jobs: the durable jobs, listed
    kJob,                 // /v1/jobs/{id}: one job, read or cancelled
    kFiles,               // POST /v1/files: a batch input file uploaded
    kFile,                // GET /v1/files/{id}
    kFileContent,         // GET /v1/files/{id}/content
    kBatches,             // POST /v1/batches (create), GET (list)
    kBatch,               // GET /v1/batches/{id}
    kBatchCancel,         // POST /v1/batches/{id}/cancel
    kKeys,                // /v1/keys: API keys listed (GET) or made (POST); admin scope
    kKey,                 // /v1/keys/{id or name}: shown (GET) or revoked (DELETE)
    kKeyRotate,           // POST /v1/keys/{id or name}/rotate
    kStatic,              // /ui and /ui/...: the web page's files, no API key
    kMcp,                 // /mcp: the Model Context Protocol (Streamable HTTP)
    // Ollama's API (/api/*): answers and errors in Ollama's shapes.
    kOllamaChat,     // POST /api/chat
    kOllamaGenerate, // POST /api/generate
    kOllamaEmbed,    // POST /api/embed and the older /api/embeddings
    kOllamaTags,     // GET /api/tags: the models
    kOllamaShow,     // POST /api/show: one model
    kOllamaPs,       // GET /api/ps: the models being served
    kOllamaVersion,  // GET /api/version
};

// Name used in metrics labels and logs ("chat_completions").
std::string_view endpoint_name(Endpoint endpoint);

// The routes that speak Ollama's API.
bool is_ollama(Endpoint endpoint);
// The routes that speak Anthropic's API (its error shape, its x-api-key).
bool is_anthropic(Endpoint endpoint);

} // namespace edgeai::api
