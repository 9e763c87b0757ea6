// OpenAI's Responses API requests (POST /v1/responses) turned into chat
// completion requests, so every backend serves them the one way it serves
// chat: the local engine, OpenAI-compatible upstreams and (through their own
// translation) Anthropic upstreams. The answer goes back the other way
// (responses_answers.h, responses_streams.h).
#pragma once

#include "core/result.h"

#include <functional>
#include <string>
#include <string_view>

namespace edgeai::api::responses {

// A stored response's context for a continuation (previous_response_id): the
// items before it, as a JSON array of normalised items. NotFound when the id
// names nothing the caller may see.
using HistoryLookup = std::function<core::Result<std::string>(std::string_view response_id)>;

struct TranslatedResponsesRequest {
    std::string chat_body; // an OpenAI chat completion request (JSON)
    std::string model;
    bool stream = false;
    bool store = true;
    std::string previous_response_id;
    // Every item the model sees, oldest first (history, then this input), and
    // this request's own input items; both JSON arrays of normalised items:
    // messages always carry a content array of typed parts.
    std::string context_items;
    std::string input_items;
    // The request's settings as members of the Response object (no braces),
    // echoed in every answer: instructions, metadata, tools, text, ...
    std::string echo;
};

// Checks and translates a Responses request body; errors name the field in
// the Responses API's own names ("input[2].content[0].type"). `history` is
// asked only when the body names a previous_response_id; null means this
// build keeps no responses: such a body is refused, and `store` is false
// whatever the request asked.
// Input items without an id get `item_id_prefix` and their index.
core::Result<TranslatedResponsesRequest>
responses_to_chat(std::string_view body, const HistoryLookup& history,
                  std::string_view item_id_prefix = "item_");

// The request as a backend that has the Responses API itself gets it: `input`
// is `context_items` (the history expanded here, since edgeai keeps the
// stored responses and a continuation may follow another backend's answer),
// without item ids (that backend never stored those items),
// previous_response_id dropped and `store` false. `body` has passed
// responses_to_chat; every other member is kept as the client sent it.
std::string native_responses_body(std::string_view body, std::string_view context_items);

// The Responses name for a chat completion field a backend complained about
// ("response_format" -> "text.format"); other names come back unchanged.
std::string_view responses_param_for(std::string_view chat_param);

} // namespace edgeai::api::responses
