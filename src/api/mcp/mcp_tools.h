// The gateway's MCP tools and resources. A tool call is turned into the API
// request a client would send for it (chat -> POST /v1/chat/completions,
// submit_job -> the same with Prefer: respond-async, ...), so it passes the
// same checks as that request; the answer is turned into the tool's result.
#pragma once

#include "codec/json/json_document.h"
#include "core/result.h"

#include <optional>
#include <string>
#include <string_view>

namespace edgeai::api::mcp {

enum class Tool { kChat, kEmbed, kListModels, kSubmitJob, kGetJob };

inline constexpr Tool kTools[] = {Tool::kChat, Tool::kEmbed, Tool::kListModels, Tool::kSubmitJob,
                                  Tool::kGetJob};

std::string_view tool_name(Tool tool);
std::optional<Tool> tool_named(std::string_view name);

// One entry of tools/list: name, title, description, inputSchema,
// outputSchema, annotations.
std::string tool_definition(Tool tool);

// What a tool call becomes.
struct ToolRequest {
    std::string method; // "GET", "POST"
    std::string target; // path and query
    std::string body;   // JSON; empty for GET
    bool async = false; // Prefer: respond-async
    bool stream = false;
};

// The request for `arguments` (the call's "arguments" object, possibly
// missing). `stream` asks a chat for a streamed answer (progress
// notifications). InvalidArgument names the argument that is wrong.
core::Result<ToolRequest> tool_request(Tool tool, codec::JsonValue arguments, bool stream);

// The CallToolResult for the answer (`status`, `body`) of a tool's request:
// structured content that matches the tool's outputSchema and the same as
// text; an error answer (4xx, 5xx) as a result with isError and the error's
// message, so the model sees why (MCP reports tool failures in the result,
// not as protocol errors).
std::string tool_result(Tool tool, int status, std::string_view body);

// A streamed chat answer read back, one SSE event's data at a time.
class ChatStreamReader {
  public:
    // Returns the text the event added (empty for none).
    std::string feed(std::string_view data);
    // The answer as a non-streamed chat completion would have had it.
    std::string completion_json() const;
    size_t chunks() const { return chunks_; }
    // The message of an error event that ended the stream; empty: none.
    const std::string& error() const { return error_; }

  private:
    std::string text_;
    std::string model_;
    std::string finish_reason_;
    std::string error_;
    int64_t prompt_tokens_ = 0;
    int64_t completion_tokens_ = 0;
    size_t chunks_ = 0;
};

// Resources.
inline constexpr std::string_view kStatusUri = "edgeai://status";
inline constexpr std::string_view kModelsUri = "edgeai://models";
std::string resources_list_result();
// A resources/read result holding one JSON text.
std::string resource_read_result(std::string_view uri, std::string_view json);

} // namespace edgeai::api::mcp
