#include "demo_model.h"

#include "platform/native/hub/model_store.h"
#include "platform/native/system/files.h"

#include <vector>

namespace edgeai::cli {

namespace {

namespace native = platform::native;

constexpr const char* kDemoFile = "demo-tinystories.gguf";

constexpr const char* kRealModelHint =
    "edgeai pull Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M, then edgeai serve -m "
    "Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M (or serve -m hf:ORG/REPO:QUANT, which pulls first; "
    "without a network, -m FILE.gguf)";

// Beside the binary (the build tree, a tarball), then ../share/edgeai (an
// installed layout: /usr/bin and /usr/share/edgeai).
std::string find_demo_file() {
    const std::string dir = native::executable_directory();
    if (dir.empty()) return {};
    for (const std::string& candidate :
         {dir + "/" + kDemoFile, dir + "/../share/edgeai/" + kDemoFile})
        if (native::file_exists(candidate)) return candidate;
    return {};
}

} // namespace

void choose_demo_model(const core::Settings& settings, const std::string& models_dir,
                       native::LocalServeOptions& local, telemetry::Logger& logger) {
    if (!local.model_paths.empty() || !settings.backends.empty() || !settings.upstream.url.empty())
        return;
    // Models in models.dir are served, each loaded on its first request.
    if (!native::list_stored_models(models_dir).empty()) return;
    const std::string demo = find_demo_file();
    if (demo.empty()) {
        logger.warn("nothing to serve: pass -m FILE.gguf, or get a model first",
                    {{"how", kRealModelHint}});
        return;
    }
    local.model_paths = {demo};
    local.aliases = {kDemoModelId};
    native::LocalModelOverrides demo_options;
    demo_options.chat_template = "chatml";
    demo_options.description =
        "The demo: a 260K-parameter toy that writes children's stories, not an assistant. For "
        "a real model: " +
        std::string(kRealModelHint) + ".";
    local.overrides = {demo_options};
    logger.warn("serving the demo model, a 260K-parameter toy that writes children's stories; "
                "to serve a real model, see how",
                {{"model", kDemoModelId}, {"how", kRealModelHint}});
}

} // namespace edgeai::cli
