// The two ResponseTranslators between OpenAI's and Anthropic's answers
// (api/anthropic does the translating; these adapt it to the observer).
#pragma once

#include "router/translating_observer.h"

#include <cstdint>
#include <memory>

namespace edgeai::router {

// For a client that spoke Anthropic (POST /v1/messages) to a backend that
// answers as OpenAI's chat completions.
std::unique_ptr<ResponseTranslator> make_chat_to_messages_translator();

// For an OpenAI chat completion served by Anthropic's Messages API.
std::unique_ptr<ResponseTranslator> make_messages_to_chat_translator(bool include_usage,
                                                                     int64_t created_unix_s);

} // namespace edgeai::router
