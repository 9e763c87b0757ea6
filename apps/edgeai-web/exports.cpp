// edgeai-web.wasm: the calls web/edgeai-worker.js makes into the browser
// shell (src/platform/browser). C names, plain numbers and pointers: the
// script writes into the module's memory and reads answers out of it, so no
// binding library is linked. One shell per module instance (one per worker).
#include "platform/browser/browser_shell.h"

#include <emscripten/emscripten.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace {

edgeai::platform::browser::BrowserShell& shell() {
    static edgeai::platform::browser::BrowserShell instance(EDGEAI_VERSION);
    return instance;
}

std::string& last_error() {
    static std::string error;
    return error;
}

} // namespace

extern "C" {

// Where to write a model file of `size` bytes; 0 when memory cannot hold it.
EMSCRIPTEN_KEEPALIVE uint8_t* edgeai_model_buffer(size_t size) {
    return shell().model_buffer(size);
}

// 0 when the model written into the buffer serves; else 1 and edgeai_error().
// chat_template: a format's name or a Jinja template's text; "" for the model's.
EMSCRIPTEN_KEEPALIVE int edgeai_load_model(const char* id, const char* chat_template, int ctx_size,
                                           int parallel) {
    edgeai::platform::browser::BrowserModelOptions options;
    options.id = id;
    options.chat_template = chat_template;
    options.ctx_size = ctx_size;
    options.parallel = parallel;
    const edgeai::core::Status status = shell().load_model(options);
    last_error() = status.ok() ? std::string() : status.message();
    return status.ok() ? 0 : 1;
}

EMSCRIPTEN_KEEPALIVE const char* edgeai_error() {
    return last_error().c_str();
}

// Request lines (JSON lines, '\n'-terminated), in any pieces.
EMSCRIPTEN_KEEPALIVE void edgeai_receive(const char* data, size_t size) {
    shell().receive(std::string_view(data, size));
}

// Runs for at most budget_ms: 0 to be called again at once, a delay in ms
// for the next timer, -1 when idle until a new request.
EMSCRIPTEN_KEEPALIVE int edgeai_pump(int budget_ms) {
    const int64_t next = shell().pump(budget_ms);
    return next > INT32_MAX ? INT32_MAX : static_cast<int>(next);
}

// The answer lines written since the last edgeai_output_clear().
EMSCRIPTEN_KEEPALIVE const char* edgeai_output_data() {
    return shell().output().data();
}
EMSCRIPTEN_KEEPALIVE size_t edgeai_output_size() {
    return shell().output().size();
}
EMSCRIPTEN_KEEPALIVE void edgeai_output_clear() {
    shell().output().clear();
}

} // extern "C"
