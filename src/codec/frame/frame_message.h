// The MessagePack messages that frames carry (docs/protocol.md): a request
// as {method, path, headers, body}, an answer's head as {status, headers}, a
// link error as {code, message}. Only the codec: what the gateway does with
// them is gateway/frame_link.
#pragma once

#include "core/http_types.h"
#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::codec {

// A request message as the HTTP request it stands for. "method" and "path"
// are required; "headers" maps names to string values; "body" is any value:
// nil or absent for none, bin or str as the body's bytes (str defaults the
// content type to JSON), any other value as MessagePack (the content type
// defaults to application/msgpack). Without an Accept header the answer is
// asked for in MessagePack. Keys this version does not know are ignored.
// InvalidArgument names what is wrong.
core::Result<core::HttpRequest> decode_request_message(std::string_view payload);

// A request message, for clients written in C++ (tests, `edgeai` tools).
std::string encode_request_message(std::string_view method, std::string_view path,
                                   const core::Headers& headers, std::string_view msgpack_body);

std::string encode_head_message(int status, const core::Headers& headers);
std::string encode_error_message(std::string_view code, std::string_view message);

} // namespace edgeai::codec
