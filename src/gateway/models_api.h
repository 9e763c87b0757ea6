// GET /v1/models and GET /v1/models/{id}: the models this gateway serves,
// from every backend of the one router. A backend whose models are names
// (`models = ["gpt-a"]`) is listed by those names; one whose models are a
// glob (`["*"]`, a single --upstream) or that runs the local engine is asked
// for its own /models, filtered by the backend's globs. Route names come
// first. A single asked backend and nothing else is relayed as it answers,
// errors included; several are merged, a silent one leaving only its part out.
// The caller's key filters the list on the way out (Exchange::respond).
#pragma once

#include "gateway/route_context.h"

#include <memory>

namespace edgeai::gateway {

core::Status decode_model_lookup(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_models(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_model(RouteContext& ctx);

} // namespace edgeai::gateway
