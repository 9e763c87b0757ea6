#include "api/mcp/mcp_protocol.h"

#include "codec/json/json_writer.h"

namespace edgeai::api::mcp {
namespace {

using codec::JsonValue;
using codec::JsonWriter;

// Newest first. 2025-03-26 is what a client that sends no
// MCP-Protocol-Version header is assumed to speak.
constexpr std::string_view kVersions[] = {kLatestProtocolVersion, "2025-06-18", "2025-03-26"};

std::string json_text(JsonValue v) {
    JsonWriter w;
    codec::write_json_value(w, v);
    return w.take();
}

} // namespace

bool supports_protocol_version(std::string_view version) {
    for (std::string_view v : kVersions)
        if (v == version) return true;
    return false;
}

std::string_view negotiate_protocol_version(std::string_view requested) {
    return supports_protocol_version(requested) ? requested : kLatestProtocolVersion;
}

bool decode_message(std::string_view body, RpcMessage& out, DecodeError& error) {
    codec::JsonLimits limits;
    limits.max_depth = 64;
    auto doc = codec::JsonDocument::parse(body, limits);
    if (!doc.ok()) {
        error = {kParseError, "Parse error: " + doc.status().message()};
        return false;
    }
    const JsonValue root = doc->root();
    if (root.is_array()) {
        error = {kInvalidRequest, "Invalid Request: JSON-RPC batches are not supported (MCP "
                                  "2025-06-18 removed them); send one message per request"};
        return false;
    }
    if (!root.is_object() || root["jsonrpc"].as_string() != "2.0") {
        error = {kInvalidRequest, "Invalid Request: a JSON-RPC 2.0 message is an object with "
                                  "\"jsonrpc\": \"2.0\""};
        return false;
    }
    const JsonValue id = root["id"];
    const bool has_id = id.is_string() || id.is_integer();
    if (!id.is_missing() && !has_id) {
        error = {kInvalidRequest, "Invalid Request: \"id\" must be a string or an integer"};
        return false;
    }
    out = RpcMessage{};
    if (has_id) out.id = json_text(id);
    const JsonValue method = root["method"];
    if (method.is_missing()) {
        if (!has_id || (root["result"].is_missing() && root["error"].is_missing())) {
            error = {kInvalidRequest, "Invalid Request: a message needs \"method\", or \"id\" "
                                      "with \"result\" or \"error\""};
            return false;
        }
        out.kind = MessageKind::kResponse;
        return true;
    }
    if (!method.is_string() || method.as_string().empty()) {
        error = {kInvalidRequest, "Invalid Request: \"method\" must be a non-empty string"};
        return false;
    }
    const JsonValue params = root["params"];
    if (!params.is_missing() && !params.is_object()) {
        error = {kInvalidRequest, "Invalid Request: \"params\" must be an object"};
        return false;
    }
    out.kind = has_id ? MessageKind::kRequest : MessageKind::kNotification;
    out.method.assign(method.as_string());
    out.params = params.is_object() ? json_text(params) : "{}";
    return true;
}

std::string result_message(std::string_view id, std::string_view result_json) {
    JsonWriter w;
    w.begin_object().field("jsonrpc", "2.0").key("id").raw(id).key("result").raw(result_json);
    w.end_object();
    return w.take();
}

std::string error_message(std::string_view id, int code, std::string_view message) {
    JsonWriter w;
    w.begin_object().field("jsonrpc", "2.0").key("id");
    if (id.empty())
        w.null();
    else
        w.raw(id);
    w.key("error").begin_object().field("code", code).field("message", message).end_object();
    w.end_object();
    return w.take();
}

std::string notification_message(std::string_view method, std::string_view params_json) {
    JsonWriter w;
    w.begin_object().field("jsonrpc", "2.0").field("method", method).key("params").raw(params_json);
    w.end_object();
    return w.take();
}

std::string initialize_result(std::string_view protocol_version, std::string_view server_version) {
    JsonWriter w;
    w.begin_object().field("protocolVersion", protocol_version);
    w.key("capabilities").begin_object();
    w.key("tools").begin_object().field("listChanged", false).end_object();
    w.key("resources")
        .begin_object()
        .field("subscribe", false)
        .field("listChanged", false)
        .end_object();
    w.end_object();
    w.key("serverInfo")
        .begin_object()
        .field("name", "edgeai")
        .field("title", "edgeai gateway")
        .field("version", server_version)
        .end_object();
    w.field("instructions",
            "An AI gateway on this device. Use list_models to see the models it serves, chat to "
            "ask one, embed for embedding vectors, submit_job/get_job for work that may wait "
            "until the device is online. Read edgeai://status for the device's state.");
    w.end_object();
    return w.take();
}

} // namespace edgeai::api::mcp
