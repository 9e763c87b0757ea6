#include "platform/browser/browser_shell.h"

#include "codec/lines/json_lines.h"
#include "engine/chat/model_chat_format.h"

#include <utility>
#include <vector>

namespace edgeai::platform::browser {

BrowserShell::BrowserShell(std::string version)
    : version_(std::move(version)), logger_(sink_, clock_, core::LogLevel::kWarn), loop_(clock_) {}

BrowserShell::~BrowserShell() {
    link_.reset(); // before the gateway its calls run in
}

uint8_t* BrowserShell::model_buffer(size_t size) {
    pending_.reset(); // its memory first: the new file may need it
    pending_ = ModelBuffer::allocate(size);
    return pending_ ? pending_->data() : nullptr;
}

namespace {

// A template's text is given as it is (a page has no files to name); anything
// else is a format's name.
core::Result<engine::chat::ChatTemplateChoice> template_choice(const std::string& value) {
    if (value.find("{%") != std::string::npos || value.find("{{") != std::string::npos)
        return engine::chat::ChatTemplateChoice{{}, value};
    return engine::chat::chat_template_choice(value, [](const std::string& name) {
        return core::Result<std::string>(core::not_found(
            "'" + name + "' is not a chat format's name (give a Jinja template's text instead)"));
    });
}

} // namespace

core::Status BrowserShell::load_model(const BrowserModelOptions& o) {
    if (!pending_) return core::invalid_argument("no model bytes were written to load");
    auto choice = template_choice(o.chat_template);
    if (!choice.ok()) return choice.status();
    auto loaded = engine::model::LoadedModel::load(std::move(pending_), o.id, {});
    if (!loaded.ok()) return loaded.status();
    std::vector<gateway::LocalModel> models;
    models.push_back({o.id, std::move(*loaded)});
    gateway::LocalGatewayOptions options;
    options.ctx_size = o.ctx_size;
    options.parallel = o.parallel;
    options.version = version_;
    options.chat_template = std::move(*choice);
    auto served = gateway::LocalGateway::create(std::move(models), options,
                                                {&clock_, &random_, &logger_, &loop_});
    if (!served.ok()) return served.status();
    // The old model goes in order: its requests cancelled (their calls
    // answered), what that posted run, then its engines, then what they
    // posted, so no task outlives what it points into.
    link_.reset();
    drain();
    served_.reset();
    drain();
    served_ = std::move(*served);
    gateway::LineLinkOptions link_options;
    link_options.peer = "browser";
    const core::Settings& settings = served_->settings();
    link_options.max_line_bytes =
        static_cast<size_t>(settings.server.max_body_bytes + settings.server.max_header_bytes);
    link_ = std::make_unique<gateway::LineLink>(served_->gateway(), loop_, output_, link_options);
    return {};
}

void BrowserShell::receive(std::string_view bytes) {
    if (link_) {
        link_->receive(bytes);
        return;
    }
    // No gateway without a model: each line is answered here. The worker
    // sends whole lines, so no line is split across two calls.
    while (!bytes.empty()) {
        const size_t nl = bytes.find('\n');
        const std::string_view line = bytes.substr(0, nl);
        bytes.remove_prefix(nl == std::string_view::npos ? bytes.size() : nl + 1);
        if (line.empty()) continue;
        const codec::LineDecode decoded = codec::decode_request_line(line);
        if (decoded.cancel) continue;
        codec::append_error_line(output_.bytes, decoded.id, "no_model",
                                 "no model is loaded: load one before sending requests");
    }
}

void BrowserShell::drain() {
    BrowserLoop::Hooks hooks;
    hooks.has_work = [] { return false; };
    hooks.has_output = [] { return false; };
    loop_.pump(hooks, kDrainBudgetMs);
}

int64_t BrowserShell::pump(int64_t budget_ms) {
    BrowserLoop::Hooks hooks;
    hooks.has_work = [this] { return served_ && served_->has_work(); };
    hooks.step = [this] { served_->step(); };
    hooks.has_output = [this] { return !output_.bytes.empty(); };
    return loop_.pump(hooks, budget_ms);
}

} // namespace edgeai::platform::browser
