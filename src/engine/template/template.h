// A Jinja interpreter for the chat templates models ship in their GGUF
// (tokenizer.chat_template), run as Hugging Face's apply_chat_template runs
// them: an immutable sandbox (lists and dicts cannot be changed, only
// namespaces), trim_blocks and lstrip_blocks on, break/continue enabled, its
// `tojson`, `raise_exception` and `strftime_now`. What it supports, and what
// it refuses with an error naming the construct and line, is listed in
// docs/engine.md ("Chat templates").
//
// Hostile templates are bounded by TemplateLimits: a render that passes a
// limit stops with kResourceExhausted naming it.
#pragma once

#include "core/result.h"
#include "engine/template/value.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace edgeai::engine::tmpl {

struct Stmt;

struct TemplateLimits {
    // Template text, before it is parsed.
    size_t max_source_bytes = 1 << 20;
    // The rendered text, and any one string the template builds on the way.
    size_t max_output_bytes = 8 << 20;
    // for-loop iterations of one render, all loops together.
    uint64_t max_loop_iterations = 1'000'000;
    // Work of one render: expressions evaluated plus items that filters walk.
    uint64_t max_steps = 50'000'000;
    // Macro and caller() calls inside one another.
    int max_call_depth = 16;
    // Items of any one list or dict the template builds (range, +, *, split).
    size_t max_items = 100'000;
};

// A wall-clock time for strftime_now, in whatever zone the caller chose.
struct DateTime {
    int year = 1970;
    int month = 1; // 1-12
    int day = 1;   // 1-31
    int hour = 0;
    int minute = 0;
    int second = 0;
    int weekday = 3; // 0 = Monday
    int yearday = 1; // 1-366
};

// The UTC calendar time of a Unix time in seconds.
DateTime utc_from_unix_seconds(int64_t seconds);

struct RenderOptions {
    TemplateLimits limits;
    // What strftime_now() formats; absent, a template calling it fails.
    std::optional<DateTime> now;
};

class ChatTemplate {
  public:
    // Parses once; a template that does not parse names the line and what
    // was expected there.
    static core::Result<ChatTemplate> parse(std::string_view source,
                                            const TemplateLimits& limits = {});

    // Renders with `variables` as the template's globals (messages, tools,
    // add_generation_prompt, bos_token, ...). A raise_exception() in the
    // template is kInvalidArgument with its message.
    core::Result<std::string> render(const Dict& variables,
                                     const RenderOptions& options = {}) const;

  private:
    struct Parsed;
    explicit ChatTemplate(std::shared_ptr<const Parsed> parsed) : parsed_(std::move(parsed)) {}
    std::shared_ptr<const Parsed> parsed_;
};

} // namespace edgeai::engine::tmpl
