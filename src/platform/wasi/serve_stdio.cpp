#include "platform/wasi/serve_stdio.h"

#include "engine/chat/model_chat_format.h"
#include "engine/model/kv_cache.h"
#include "gateway/line_link.h"
#include "gateway/local_gateway.h"
#include "platform/wasi/model_file.h"
#include "platform/wasi/wasi_loop.h"
#include "platform/wasi/wasi_system.h"
#include "telemetry/logger.h"

#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

namespace edgeai::platform::wasi {

namespace {

// stdout, written through before send() returns: a pipe to the host, which
// reads it as it comes (there is no other thread to keep a queue moving).
class StdoutOutput final : public gateway::LinkOutput {
  public:
    bool send(std::string_view bytes) override {
        while (!bytes.empty() && !broken_) {
            const ssize_t n = ::write(1, bytes.data(), bytes.size());
            if (n > 0) {
                bytes.remove_prefix(static_cast<size_t>(n));
            } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
                broken_ = true; // the reader left; answers have nowhere to go
            }
        }
        return true;
    }
    bool broken() const { return broken_; }

  private:
    bool broken_ = false;
};

} // namespace

int run_serve_stdio(const ServeStdioOptions& o) {
    WasiClock clock;
    WasiRandom random;
    StderrLogSink sink;
    auto level = core::parse_log_level(o.log_level);
    telemetry::Logger logger(sink, clock, level.ok() ? *level : core::LogLevel::kInfo);
    WasiLoop loop(clock);

    const auto kv_type = engine::model::parse_kv_type(o.kv_type);
    if (!kv_type) {
        logger.error("--kv-type must be f16, f32 or q8_0", {{"kv_type", o.kv_type}});
        return 1;
    }
    auto choice = engine::chat::chat_template_choice(o.chat_template, read_text_file);
    if (!choice.ok()) {
        logger.error("bad --chat-template", {{"error", choice.status().message()}});
        return 1;
    }
    std::vector<gateway::LocalModel> models;
    for (const std::string& path : o.model_paths) {
        auto loaded = load_local_model(path, {});
        if (!loaded.ok()) {
            logger.error("cannot load model",
                         {{"path", path}, {"error", loaded.status().message()}});
            return 1;
        }
        models.push_back({engine::model::model_id_from_path(path), std::move(*loaded)});
    }
    gateway::LocalGatewayOptions options;
    options.ctx_size = o.ctx_size;
    options.parallel = o.parallel;
    options.kv_type = *kv_type;
    options.chat_template = std::move(*choice);
    options.version = o.version;
    auto local = gateway::LocalGateway::create(std::move(models), options,
                                               {&clock, &random, &logger, &loop});
    if (!local.ok()) {
        logger.error("cannot serve the models", {{"error", local.status().message()}});
        return 1;
    }
    gateway::LocalGateway& served = **local;
    const core::Settings& settings = served.settings();

    StdoutOutput output;
    gateway::LineLinkOptions link_options;
    // A request line holds the largest body plus its head, as a frame does.
    link_options.max_line_bytes =
        static_cast<size_t>(settings.server.max_body_bytes + settings.server.max_header_bytes);
    gateway::LineLink link(served.gateway(), loop, output, link_options);

    WasiLoop::Hooks hooks;
    hooks.on_input = [&](std::string_view bytes) { link.receive(bytes); };
    hooks.on_end_of_input = [&] { link.end_of_input(); };
    hooks.has_work = [&] { return served.has_work(); };
    hooks.step = [&] { served.step(); };
    hooks.idle = [&] { return link.in_flight() == 0 || output.broken(); };
    logger.info("serving JSON lines on stdio",
                {{"version", o.version}, {"models", static_cast<int64_t>(served.model_count())}});
    loop.run(hooks);
    logger.info("stopped");
    return 0;
}

} // namespace edgeai::platform::wasi
