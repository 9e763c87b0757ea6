// Anthropic's Messages API request bodies, translated to and from OpenAI's
// chat completion bodies, so one request path serves both APIs.
//  - Inbound: a client speaks Anthropic (POST /v1/messages, the official
//    @anthropic-ai/sdk) and any backend answers; its body becomes a chat
//    completion body.
//  - Outbound: a `kind = "anthropic"` backend serves chat completions; their
//    body becomes a Messages body.
// Each direction has its own file (anthropic_messages_to_chat.cpp,
// anthropic_chat_to_messages.cpp). Both check what they translate and name
// the field that is wrong, in the caller's own field names.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::api::anthropic {

// The version header every Messages request carries.
inline constexpr std::string_view kApiVersion = "2023-06-01";

struct TranslatedChatRequest {
    std::string body;  // an OpenAI chat completion request (JSON)
    std::string model; // as the client named it
    bool stream = false;
};

// POST /v1/messages body -> chat completion body. `system` becomes the first
// message; text, image (base64 or url), tool_use and tool_result blocks become
// content parts, tool_calls and "tool" messages; stop_sequences, temperature,
// top_p, max_tokens, tools, tool_choice and metadata.user_id map to their
// OpenAI names; a streamed request asks for usage (stream_options).
core::Result<TranslatedChatRequest> messages_to_chat(std::string_view messages_body);
// POST /v1/messages/count_tokens: the same body without max_tokens.
core::Result<TranslatedChatRequest> count_tokens_to_chat(std::string_view count_tokens_body);

struct OutboundOptions {
    // Messages requires max_tokens; used when the chat request sets none.
    int64_t default_max_tokens = 4096;
};

struct TranslatedMessagesRequest {
    std::string body; // a Messages API request (JSON)
    bool stream = false;
    bool include_usage = false; // the chat request's stream_options.include_usage
};

// Chat completion body -> Messages body. System and developer messages become
// `system`; consecutive turns of one role merge (the API wants them
// alternating); tool results become tool_result blocks in a user turn.
// n > 1 and other things Messages cannot express are InvalidArgument errors.
core::Result<TranslatedMessagesRequest> chat_to_messages(std::string_view chat_body,
                                                         const OutboundOptions& options = {});

} // namespace edgeai::api::anthropic
