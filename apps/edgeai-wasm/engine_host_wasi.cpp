// The WASI platform under run and bench: models read from a preopened
// directory, one thread (this build has no others).
#include "engine_host.h"

#include "platform/wasi/model_file.h"

namespace edgeai::cli::host {

core::Result<std::unique_ptr<engine::model::LoadedModel>>
load_model_file(const std::string& path, const engine::model::LoadedModel::LoadOptions& options) {
    return platform::wasi::load_local_model(path, options);
}

std::unique_ptr<engine::WorkerPool> make_pool(int threads) {
    (void)threads; // one worker whatever was asked: there are no threads
    return std::make_unique<engine::SerialPool>();
}

int default_threads() {
    return 1;
}

core::Result<engine::chat::ChatTemplateChoice> read_chat_template_flag(const std::string& flag) {
    return engine::chat::chat_template_choice(flag, platform::wasi::read_text_file);
}

} // namespace edgeai::cli::host
