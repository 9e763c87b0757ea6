// What `edgeai config check` finds that the schema cannot: the machine
// against the configuration. Files named that are not there (local models,
// TLS files, key files), key variables that are not set, a model id loaded
// twice, a listen address this machine cannot bind. serve would stop on each
// of these, later and one at a time; check says all of them at once.
#pragma once

#include "core/config/settings.h"

#include <string>
#include <vector>

namespace edgeai::platform::native {

struct PreflightFinding {
    bool error = true; // false: a warning (serve would start, but probably not as meant)
    std::string message;
};

std::vector<PreflightFinding> preflight(const core::Settings& settings);

} // namespace edgeai::platform::native
