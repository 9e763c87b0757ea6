// The first run: `edgeai serve` with nothing to serve answers with a demo
// model shipped beside the binary (models/demo, converted by setup), so a new
// user gets an answer on a machine without a network, and is told plainly
// that it is a toy and how to get a real model.
#pragma once

#include "core/config/settings.h"
#include "platform/native/serve.h"
#include "telemetry/logger.h"

#include <string>

namespace edgeai::cli {

inline constexpr const char* kDemoModelId = "demo-tinystories";

// With no -m, no [[backends]] and no [upstream]: the demo model when
// models.dir is empty and the file is installed; with models in models.dir,
// nothing (serve loads them on demand); else a warning saying how to give the
// gateway something to serve.
void choose_demo_model(const core::Settings& settings, const std::string& models_dir,
                       platform::native::LocalServeOptions& local, telemetry::Logger& logger);

} // namespace edgeai::cli
