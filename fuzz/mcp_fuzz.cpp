// MCP messages from any client (an HTTP POST to /mcp, a line on stdio): the
// JSON-RPC decoder never crashes and what it accepts is a well-formed
// message; a tools/call's arguments become a request or a named refusal;
// tool results and streamed chat chunks built from any answer body are JSON.
#include "api/mcp/mcp_protocol.h"
#include "api/mcp/mcp_tools.h"
#include "codec/json/json_document.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

namespace mcp = edgeai::api::mcp;

void check(bool ok) {
    if (!ok) std::abort();
}

bool is_json(std::string_view text) {
    return edgeai::codec::JsonDocument::parse(text).ok();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    mcp::RpcMessage m;
    mcp::DecodeError error;
    if (mcp::decode_message(input, m, error)) {
        check(is_json(m.params));
        check(m.kind == mcp::MessageKind::kResponse || !m.method.empty());
        check((m.kind == mcp::MessageKind::kNotification) == (m.id.empty() && !m.method.empty()));
        const std::string reply = mcp::result_message(m.id.empty() ? "null" : m.id, m.params);
        check(is_json(reply));
        auto params = edgeai::codec::JsonDocument::parse(m.params);
        check(params.ok());
        const auto root = params->root();
        for (mcp::Tool tool : mcp::kTools) {
            auto request = mcp::tool_request(tool, root["arguments"], (size & 1) != 0);
            if (request.ok()) {
                check(request->body.empty() || is_json(request->body));
                check(request->target.front() == '/');
                check(request->target.find("..") == std::string::npos);
            } else {
                check(!request.status().message().empty());
            }
        }
    } else {
        check(!error.message.empty());
        check(is_json(mcp::error_message("", error.code, error.message)));
    }
    // The same bytes as a backend's answer: results stay JSON.
    for (mcp::Tool tool : mcp::kTools) {
        check(is_json(mcp::tool_result(tool, 200, input)));
        check(is_json(mcp::tool_result(tool, 500, input)));
    }
    mcp::ChatStreamReader reader;
    reader.feed(input);
    check(is_json(reader.completion_json()));
    return 0;
}
