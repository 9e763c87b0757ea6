// The Model Context Protocol as the gateway speaks it, without transport:
// JSON-RPC messages in and out, the protocol revisions it accepts, and the
// catalogue of its tools and resources. Each tool call becomes the request an
// API client would send (mcp_tools.h), so the gateway's one request path
// (keys, scopes, limits, usage, audit) decides it; this file knows nothing of
// sessions or HTTP (gateway/mcp_api).
#pragma once

#include "codec/json/json_document.h"
#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::api::mcp {

// The newest revision; an initialize asking for an older one this server
// also speaks gets that one back, as the specification's negotiation says.
inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";
bool supports_protocol_version(std::string_view version);
std::string_view negotiate_protocol_version(std::string_view requested);

// JSON-RPC 2.0 error codes, and MCP's for a resource it does not have.
enum RpcError : int {
    kParseError = -32700,
    kInvalidRequest = -32600,
    kMethodNotFound = -32601,
    kInvalidParams = -32602,
    kInternalError = -32603,
    kResourceNotFound = -32002,
};

enum class MessageKind { kRequest, kNotification, kResponse };

struct RpcMessage {
    MessageKind kind = MessageKind::kRequest;
    std::string id;            // JSON text of the id ("7", "\"a\""); empty for a notification
    std::string method;        // empty for a response
    std::string params = "{}"; // JSON text of the params object; "{}" when absent
};

// One JSON-RPC message. A batch (an array) is refused: revision 2025-06-18
// removed them. The error's message says what is wrong; `parse_error` tells
// broken JSON (-32700) from a well-formed message of the wrong shape (-32600).
struct DecodeError {
    int code = kInvalidRequest;
    std::string message;
};
bool decode_message(std::string_view body, RpcMessage& out, DecodeError& error);

// Whole messages, as JSON text.
std::string result_message(std::string_view id, std::string_view result_json);
// `id` empty means null (the request's id could not be read).
std::string error_message(std::string_view id, int code, std::string_view message);
std::string notification_message(std::string_view method, std::string_view params_json);

// The initialize result: protocol revision, capabilities, server info.
std::string initialize_result(std::string_view protocol_version, std::string_view server_version);

} // namespace edgeai::api::mcp
