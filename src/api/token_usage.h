// The token counts an answer reports, read from either API's shape: OpenAI's
// "usage": {prompt_tokens, completion_tokens} or Anthropic's
// {input_tokens, output_tokens} (whole messages, message_start and
// message_delta events). Usage accounting reads what the backend counted
// rather than guessing.
#pragma once

#include <cstdint>
#include <string_view>

namespace edgeai::api {

struct TokenUsage {
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
    bool found = false; // some event or body reported usage
};

// Adds what one JSON body or event data reports to `usage`: a later report of
// the same count replaces the earlier one (a stream's running totals).
void read_token_usage(std::string_view json, TokenUsage& usage);

// The same over a run of complete SSE events (`data:` lines); cheap when
// none of them mentions usage.
void read_token_usage_in_events(std::string_view events, TokenUsage& usage);

} // namespace edgeai::api
