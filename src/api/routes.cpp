#include "api/routes.h"

namespace edgeai::api {

std::string_view endpoint_name(Endpoint endpoint) {
    switch (endpoint) {
    case Endpoint::kNone:
        return "unknown";
    case Endpoint::kRoot:
        return "root";
    case Endpoint::kHealthz:
        return "healthz";
    case Endpoint::kReadyz:
        return "readyz";
    case Endpoint::kMetrics:
        return "metrics";
    case Endpoint::kModels:
        return "models";
    case Endpoint::kModel:
        return "model";
    case Endpoint::kChatCompletions:
        return "chat_completions";
    case Endpoint::kCompletions:
        return "completions";
    case Endpoint::kEmbeddings:
        return "embeddings";
    case Endpoint::kMessages:
        return "messages";
    case Endpoint::kMessagesCountTokens:
        return "messages_count_tokens";
    case Endpoint::kResponses:
        return "responses";
    case Endpoint::kResponse:
        return "response";
    case Endpoint::kResponseInputItems:
        return "response_input_items";
    case Endpoint::kUsage:
        return "usage";
    case Endpoint::kJobs:
        return "jobs";
    case Endpoint::kJob:
        return "job";
    case Endpoint::kFiles:
        return "files";
    case Endpoint::kFile:
        return "file";
    case Endpoint::kFileContent:
        return "file_content";
    case Endpoint::kBatches:
        return "batches";
    case Endpoint::kBatch:
        return "batch";
    case Endpoint::kBatchCancel:
        return "batch_cancel";
    case Endpoint::kKeys:
        return "keys";
    case Endpoint::kKey:
        return "key";
    case Endpoint::kKeyRotate:
        return "key_rotate";
    case Endpoint::kStatic:
        return "static";
    case Endpoint::kMcp:
        return "mcp";
    case Endpoint::kOllamaChat:
        return "ollama_chat";
    case Endpoint::kOllamaGenerate:
        return "ollama_generate";
    case Endpoint::kOllamaEmbed:
        return "ollama_embed";
    case Endpoint::kOllamaTags:
        return "ollama_tags";
    case Endpoint::kOllamaShow:
        return "ollama_show";
    case Endpoint::kOllamaPs:
        return "ollama_ps";
    case Endpoint::kOllamaVersion:
        return "ollama_version";
    }
    return "unknown";
}

bool is_anthropic(Endpoint endpoint) {
    return endpoint == Endpoint::kMessages || endpoint == Endpoint::kMessagesCountTokens;
}

bool is_ollama(Endpoint endpoint) {
    return endpoint >= Endpoint::kOllamaChat && endpoint <= Endpoint::kOllamaVersion;
}

} // namespace edgeai::api
