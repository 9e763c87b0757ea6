// A backend's answer known in full when the request starts (the model list,
// a refusal): delivered from the loop, never inside start(), and not at all
// once the call is destroyed.
#pragma once

#include "api/api_error.h"
#include "core/executor.h"
#include "core/http_client.h"

#include <memory>
#include <string>

namespace edgeai::router {

std::unique_ptr<core::HttpCall> answer_later(core::Executor& executor,
                                             core::HttpResponseObserver* observer, int status,
                                             std::string body, int retry_after_s = 0);

// `error` in OpenAI's shape, with its status and Retry-After.
std::unique_ptr<core::HttpCall> answer_error_later(core::Executor& executor,
                                                   core::HttpResponseObserver* observer,
                                                   const api::ApiError& error);

} // namespace edgeai::router
