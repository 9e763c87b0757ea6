// The ResponseTranslator for a client that spoke OpenAI's Responses API
// (POST /v1/responses) to a backend that answers as chat completions
// (api/responses does the translating; this adapts it to the observer).
#pragma once

#include "api/responses/responses_answers.h"
#include "router/translating_observer.h"

#include <functional>
#include <memory>
#include <string>

namespace edgeai::router {

// Called once with the final `response` object when an answer completed
// (whole, or its stream's response.completed / .incomplete), so the gateway
// can keep it.
using ResponseDone = std::function<void(const std::string& response)>;

std::unique_ptr<ResponseTranslator>
make_chat_to_responses_translator(api::responses::ResponseFrame frame, ResponseDone done);

// For a backend that has the Responses API itself: its answer goes to the
// client as it is, and its final response object to `done`.
std::unique_ptr<ResponseTranslator> make_native_responses_translator(ResponseDone done);

} // namespace edgeai::router
