// The local backend as `serve` starts it: the models given at start (-m, a
// local backend's files) loaded and checked against --max-memory, and every
// other model of models.dir registered to load on its first request.
#pragma once

#include "core/clock.h"
#include "core/config/settings.h"
#include "core/executor.h"
#include "core/random.h"
#include "platform/native/engine/model_host.h"
#include "platform/native/serve.h"
#include "router/local_backend.h"
#include "telemetry/logger.h"

#include <optional>

namespace edgeai::platform::native {

// Fills `backend` and `host` (both left empty when there is no local model).
// Returns false (after logging why) when a model given at start cannot be
// served.
bool start_models(const LocalServeOptions& o, const core::Settings& settings, core::Executor& loop,
                  const core::Clock& clock, core::Random& random, telemetry::Logger& logger,
                  std::optional<router::LocalBackend>& backend, std::optional<ModelHost>& host);

} // namespace edgeai::platform::native
