// The HTTP surface of the gateway in one table: which paths exist and which
// methods each accepts, so an unknown path is a 404 and a known path with the
// wrong method is a 405 with an Allow header, never a guess.
#pragma once

#include <string>
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
    kMessages,    // Anthropic's Messages API
    kUsage,       // usage summaries
    kJobs,        // /v1/jobs: the durable jobs, listed
    kJob,         // /v1/jobs/{id}: one job, read or cancelled
    kFiles,       // POST /v1/files: a batch input file uploaded
    kFile,        // GET /v1/files/{id}
    kFileContent, // GET /v1/files/{id}/content
    kBatches,     // POST /v1/batches (create), GET (list)
    kBatch,       // GET /v1/batches/{id}
    kBatchCancel, // POST /v1/batches/{id}/cancel
    kKeys,        // /v1/keys: API keys listed (GET) or made (POST); admin scope
    kKey,         // /v1/keys/{id or name}: shown (GET) or revoked (DELETE)
    kKeyRotate,   // POST /v1/keys/{id or name}/rotate
    kStatic,      // /ui and /ui/...: the web page's files, no API key
};

struct RouteMatch {
    Endpoint endpoint = Endpoint::kNone;
    bool method_allowed = false;
    std::string_view allow;  // methods for the Allow header, e.g. "POST, OPTIONS"
    std::string model_id;    // for kModel, percent-decoded
    std::string job_id;      // for kJob
    std::string resource_id; // the file's or batch's id; for kStatic the raw path after
                             // "/ui" ("" or "/..."), not decoded: the file server checks it
};

// Matches a path (without query) and method. kNone means no such path.
RouteMatch match_route(std::string_view method, std::string_view path);

// Name used in metrics labels and logs ("chat_completions").
std::string_view endpoint_name(Endpoint endpoint);

} // namespace edgeai::api
