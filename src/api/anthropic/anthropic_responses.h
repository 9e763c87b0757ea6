// Anthropic's Messages API answers (whole messages and errors), translated to
// and from OpenAI's chat completion answers. See anthropic_requests.h for the
// two directions.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::api::anthropic {

// Inbound: a chat.completion (choice 0) -> a Messages `message`: text and
// tool_use blocks, stop_reason from finish_reason, usage as input/output tokens.
core::Result<std::string> chat_response_to_message(std::string_view chat_completion_body);

// Outbound: a Messages `message` -> a chat.completion with one choice; text
// blocks joined into content, tool_use blocks into tool_calls (arguments as a
// JSON string), finish_reason from stop_reason, usage counted with cache tokens.
core::Result<std::string> message_to_chat_response(std::string_view message_body,
                                                   int64_t created_unix_s);

// OpenAI finish_reason <-> Anthropic stop_reason.
std::string_view stop_reason_for(std::string_view finish_reason);
std::string_view finish_reason_for(std::string_view stop_reason);

// Anthropic's error type for an HTTP status (400 invalid_request_error, 401
// authentication_error, 403 permission_error, 404 not_found_error, 413
// request_too_large, 429 rate_limit_error, 529 overloaded_error, other 5xx
// api_error).
std::string_view error_type_for_status(int http_status);

// {"type":"error","error":{"type":...,"message":...}}
std::string render_error(std::string_view type, std::string_view message);

// Any error body (OpenAI's shape, Anthropic's, or other bytes) -> Anthropic's
// shape, keeping the message (an excerpt of unknown bytes).
std::string error_body_to_anthropic(int http_status, std::string_view body);
// Anthropic's error body (or other bytes) -> OpenAI's error shape.
std::string error_body_to_openai(int http_status, std::string_view body);
bool is_anthropic_error_body(std::string_view body);

// An SSE `error` event in Anthropic's shape, for a stream that breaks.
std::string error_event(std::string_view type, std::string_view message);

} // namespace edgeai::api::anthropic
