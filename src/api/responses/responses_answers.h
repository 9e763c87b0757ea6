// Chat completion answers turned into Responses API answers: a whole
// chat.completion into a `response` object, and the pieces the stream
// translation (responses_streams.h) builds its events from.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::api::responses {

// What every answer to one request shares: ids made by the gateway (the
// backend's chat ids are not Responses ids), the time, and the request's
// settings as members (TranslatedResponsesRequest::echo).
struct ResponseFrame {
    std::string id;         // resp_...
    std::string message_id; // msg_...: the output message item
    int64_t created_at = 0; // unix seconds
    std::string echo;
};

struct ResponseUsage {
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t cached_tokens = 0;
};

// A `response` object: `status` is in_progress, completed, incomplete or
// failed; `incomplete_reason` (max_output_tokens, content_filter) is set for
// incomplete; `output` is a JSON array; `usage` is left null when absent.
std::string render_response(const ResponseFrame& frame, std::string_view model,
                            std::string_view status, std::string_view incomplete_reason,
                            std::string_view output, const ResponseUsage* usage);

// The id of the function_call output item for the chat tool call at `index`.
std::string function_call_item_id(const ResponseFrame& frame, size_t index);

// The Responses status and incomplete reason for a chat finish_reason.
struct Outcome {
    std::string_view status;
    std::string_view incomplete_reason;
};
Outcome outcome_for(std::string_view finish_reason);

// A chat.completion (choice 0) -> a `response`: a message item with the text,
// a function_call item per tool call, usage as input/output tokens.
core::Result<std::string> chat_response_to_response(std::string_view chat_completion_body,
                                                    const ResponseFrame& frame);

// An OpenAI error body from a backend, its `param` renamed to the Responses
// field (response_format -> text.format); other bytes become an error body.
std::string error_body_to_responses(int http_status, std::string_view body);

} // namespace edgeai::api::responses
