// Pieces the Messages translators share (defined in anthropic_responses.cpp).
// Not part of the public contract: the gateway uses the three API headers.
#pragma once

#include "codec/json/json_document.h"
#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::api::anthropic::detail {

// A backend's answer as a JSON object; DataLoss, which the gateway answers with
// 502, because the client did nothing wrong.
core::Result<codec::JsonDocument> parse_backend_body(std::string_view body);
// A field check that failed on a backend's answer, re-coded as DataLoss.
core::Status backend_error(const core::Status& field_status);

// A token count as a non-negative integer (hostile or missing values give 0).
int64_t token_count(codec::JsonValue v);
// Saturating sum of token counts, so hostile usage numbers cannot overflow.
int64_t add_tokens(int64_t a, int64_t b);

// Messages ids start with "msg_"; a chat completion id is kept behind it.
std::string message_id_for(std::string_view chat_id);

// One of Anthropic's documented error types.
bool is_anthropic_error_type(std::string_view type);
// OpenAI's error type for an Anthropic error type (or, failing that, the status).
std::string_view openai_error_type_for(std::string_view anthropic_type, int http_status);

// The first bytes of an unknown body, cut on a UTF-8 boundary, for messages.
std::string excerpt(std::string_view bytes);

// Splits "data:<media type>;base64,<data>"; false for any other form.
bool split_base64_data_url(std::string_view url, std::string_view* media_type,
                           std::string_view* data);

} // namespace edgeai::api::anthropic::detail
