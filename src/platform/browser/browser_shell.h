// The browser worker's shell: the gateway and the engine over a model held in
// memory, answering JSON lines (the protocol of edgeai.wasm's stdio shell,
// codec/lines/json_lines.h) through gateway::LineLink, so a request from the
// JS API goes through the same Gateway as an HTTP one. The worker's script
// writes request lines in, pumps the loop, and takes the answer lines out;
// apps/edgeai-web exports these calls to it.
#pragma once

#include "core/status.h"
#include "gateway/line_link.h"
#include "gateway/local_gateway.h"
#include "platform/browser/browser_loop.h"
#include "platform/browser/browser_system.h"
#include "platform/browser/model_buffer.h"
#include "telemetry/logger.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace edgeai::platform::browser {

struct BrowserModelOptions {
    std::string id = "model"; // the id requests name it by
    // A format name (chatml, llama-3, ...) or a Jinja template's text; empty:
    // the model's own tokenizer.chat_template.
    std::string chat_template;
    int ctx_size = 0; // all sequences together; 0: the model's, at most 4096 each
    int parallel = 1; // sequences decoded together
};

class BrowserShell {
  public:
    explicit BrowserShell(std::string version);
    ~BrowserShell();

    // A buffer of `size` bytes for the next model's file, replacing one not
    // yet loaded; null when the memory cannot hold it.
    uint8_t* model_buffer(size_t size);
    // Loads the model written into model_buffer(). On success it replaces
    // the model served (requests in flight on the old one are cancelled);
    // on failure the old one goes on serving and the error says why.
    core::Status load_model(const BrowserModelOptions& options);
    bool has_model() const { return link_ != nullptr; }

    // Bytes of request lines: in any pieces while a model is served; before
    // that, whole lines, each answered with a no_model error line.
    void receive(std::string_view bytes);
    // Runs the loop for at most budget_ms; see BrowserLoop::pump.
    int64_t pump(int64_t budget_ms);
    // Answer lines written so far; the script reads and clears them after
    // each call.
    std::string& output() { return output_.bytes; }

  private:
    class Output final : public gateway::LinkOutput {
      public:
        // The worker's script takes what is here after every call, so the
        // queue never grows past one pump's answers.
        bool send(std::string_view line_bytes) override {
            bytes.append(line_bytes);
            return true;
        }
        std::string bytes;
    };

    // Runs the tasks already posted, no engine step.
    void drain();
    // Enough for a chain of posted tasks; none of them computes.
    static constexpr int64_t kDrainBudgetMs = 100;

    std::string version_;
    BrowserClock clock_;
    BrowserRandom random_;
    ConsoleLogSink sink_;
    telemetry::Logger logger_;
    BrowserLoop loop_;
    Output output_;
    std::unique_ptr<ModelBuffer> pending_;
    std::unique_ptr<gateway::LocalGateway> served_;
    std::unique_ptr<gateway::LineLink> link_;
};

} // namespace edgeai::platform::browser
