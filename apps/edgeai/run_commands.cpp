#include "run_commands.h"

#include "cli_output.h"
#include "engine_host.h"
#include "progress_bar.h"

#include "engine/chat/chat_format.h"
#include "engine/kernels/kernel_table.h"
#include "engine/session/completion.h"
#include "engine/session/runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

namespace edgeai::cli {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

int thread_count(const EngineFlags& f) {
    return f.threads > 0 ? f.threads : host::default_threads();
}

// The --kv-type a model can use, or null after saying why not.
std::optional<engine::model::KvType> kv_type_of(const std::string& name,
                                                const engine::model::ModelConfig& config) {
    auto type = engine::model::parse_kv_type(name);
    if (!type) {
        print_error("--kv-type must be f16, f32 or q8_0, not '" + name + "'");
        return std::nullopt;
    }
    if (core::Status st = engine::model::KvCache::check(config, *type); !st.ok()) {
        print_error(st.message());
        return std::nullopt;
    }
    return type;
}

uint32_t context_size(const EngineFlags& f, const engine::model::ModelConfig& c) {
    if (f.ctx_size > 0) return static_cast<uint32_t>(f.ctx_size);
    return std::min<uint32_t>(c.n_ctx_train, 4096);
}

std::unique_ptr<engine::model::LoadedModel> load_model(const std::string& path, bool pack) {
    const auto start = Clock::now();
    std::optional<ProgressBar> bar;
    engine::model::LoadedModel::LoadOptions options;
    options.pack = pack;
    options.progress = [&](uint64_t done, uint64_t total) {
        if (!bar) bar.emplace("loading " + path, total);
        bar->update(done);
    };
    auto m = host::load_model_file(path, options);
    bar.reset();
    if (!m.ok()) {
        print_error(m.status().message());
        return nullptr;
    }
    const auto& c = (*m)->model.config();
    std::fprintf(stderr, "edgeai: loaded %s (%s, %u layers, %u embd, vocab %u) in %.0f ms\n",
                 path.c_str(), c.arch_name.c_str(), c.n_layer, c.n_embd, c.n_vocab,
                 seconds_since(start) * 1000);
    return std::move(*m);
}

namespace {

// One line of `in` without its '\n' (the last may lack one); false at the end.
bool read_line(std::FILE* in, std::string& line) {
    line.clear();
    int ch;
    while ((ch = std::fgetc(in)) != EOF) {
        if (ch == '\n') return true;
        line.push_back(static_cast<char>(ch));
    }
    return !line.empty();
}

// `cat notes.txt | edgeai run -m M -p "Summarize"`: a piped stdin comes
// first, then -p after a space, as Ollama's run joins them. A terminal is
// never read: that would wait for input nobody knows is expected.
std::string prompt_with_stdin(const std::string& prompt) {
    if (isatty(STDIN_FILENO) != 0) return prompt;
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0)
        text.append(buf, n);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    if (text.empty()) return prompt;
    if (prompt.empty()) return text;
    return text + " " + prompt;
}

// Streams one completion to stdout; returns false on an engine error.
bool generate(engine::session::Runner& runner, const engine::tokenizer::Tokenizer& tok,
              const std::vector<int32_t>& prompt, const EngineFlags& f,
              const std::vector<std::string>& extra_stops, std::string* reply = nullptr) {
    engine::session::CompletionOptions options;
    options.sampling.temperature = f.temperature;
    options.sampling.top_k = f.top_k;
    options.sampling.top_p = f.top_p;
    options.sampling.min_p = f.min_p;
    options.sampling.repeat_penalty = f.repeat_penalty;
    options.sampling.seed = f.seed_given ? f.seed : std::random_device{}();
    // -n -1: no limit but the context, as llama.cpp's -n -1.
    options.max_tokens = f.n_predict < 0 ? UINT32_MAX : static_cast<uint32_t>(f.n_predict);
    options.stop = extra_stops;
    options.ignore_eos = f.ignore_eos;
    auto completion = engine::session::Completion::create(tok, std::move(options));
    if (!completion.ok()) {
        print_error(completion.status().message());
        return false;
    }
    const auto pp_start = Clock::now();
    core::Status st = runner.prefill(prompt);
    if (!st.ok()) {
        print_error(st.message());
        return false;
    }
    const double pp_seconds = seconds_since(pp_start);
    (void)completion->set_prompt(prompt);
    const auto tg_start = Clock::now();
    std::string text;
    for (;;) {
        text.clear();
        auto done = completion->step(runner.logits(), text);
        if (!done.ok()) {
            print_error(done.status().message());
            return false;
        }
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        if (reply != nullptr) reply->append(text);
        if (*done) break;
        if (runner.tokens().size() >= runner.n_ctx()) {
            text.clear();
            completion->end_for_length(text);
            std::fwrite(text.data(), 1, text.size(), stdout);
            break;
        }
        const int32_t next = completion->next_token();
        st = runner.feed({&next, 1});
        if (!st.ok()) {
            print_error(st.message());
            return false;
        }
    }
    const double tg_seconds = seconds_since(tg_start);
    const uint32_t fed = static_cast<uint32_t>(prompt.size()) - runner.reused();
    std::fprintf(
        stderr,
        "\nedgeai: prompt %zu tokens (%u reused) %.1f tok/s; generated %u tokens "
        "%.1f tok/s; finish: %s\n",
        prompt.size(), runner.reused(), pp_seconds > 0 ? fed / pp_seconds : 0.0,
        completion->generated_tokens(),
        tg_seconds > 0 ? completion->generated_tokens() / tg_seconds : 0.0,
        std::string(engine::session::finish_reason_name(completion->finish_reason())).c_str());
    return true;
}

enum class ChatCommand { kNone, kHandled, kBye };

// The commands Ollama's chat has, so a line starting with '/' never goes to
// the model by mistake: /bye, /clear, /system TEXT, /help (or /?).
ChatCommand chat_command(const std::string& line, std::string& system,
                         std::vector<std::pair<std::string, std::string>>& turns) {
    if (line[0] != '/') return ChatCommand::kNone;
    const size_t space = line.find(' ');
    const std::string name = line.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (name == "/bye" || name == "/exit") return ChatCommand::kBye;
    if (name == "/clear") {
        turns.clear();
        std::fputs("edgeai: the conversation is cleared\n", stderr);
    } else if (name == "/system") {
        system = rest;
        turns.clear();
        std::fputs(system.empty() ? "edgeai: no system prompt; the conversation is cleared\n"
                                  : "edgeai: system prompt set; the conversation is cleared\n",
                   stderr);
    } else if (name == "/help" || name == "/?") {
        std::fputs("  /system TEXT  set the system prompt (and start over)\n"
                   "  /clear        forget the conversation\n"
                   "  /bye          leave (also Ctrl-D)\n"
                   "  /help         this list\n",
                   stderr);
    } else {
        std::fprintf(stderr, "edgeai: unknown command '%s'; /help lists the commands\n",
                     name.c_str());
    }
    return ChatCommand::kHandled;
}

// Interactive chat: one user turn per line of stdin; the whole conversation
// is templated each turn and the runner reuses the cached prefix, so only the
// new turn is computed.
int chat_loop(engine::session::Runner& runner, const engine::model::LoadedModel& m,
              const EngineFlags& f) {
    auto choice = host::read_chat_template_flag(f.chat_template);
    if (!choice.ok()) {
        print_error(choice.status().message());
        return kExitUsage;
    }
    const auto& tok = *m.tokenizer;
    auto chat = engine::chat::chat_format_for(m.gguf, tok, *choice);
    if (!chat.ok()) {
        print_error(chat.status().message());
        return kExitUsage;
    }
    std::vector<std::string> stops(chat->end_of_turn_markers().begin(),
                                   chat->end_of_turn_markers().end());
    std::vector<std::pair<std::string, std::string>> turns; // role, content
    std::string system = f.prompt;
    const bool interactive = isatty(STDIN_FILENO) != 0;
    if (interactive)
        std::fputs("edgeai: chatting with the model; /help lists the commands, /bye ends\n",
                   stderr);
    std::string line;
    for (;;) {
        if (interactive) std::fputs(">>> ", stderr);
        if (!read_line(stdin, line)) break;
        if (line.empty()) continue;
        switch (chat_command(line, system, turns)) {
        case ChatCommand::kBye:
            return kExitOk;
        case ChatCommand::kHandled:
            continue;
        case ChatCommand::kNone:
            break;
        }
        if (turns.empty() && !system.empty()) turns.emplace_back("system", system);
        turns.emplace_back("user", line);
        engine::chat::ChatVariables vars;
        vars.messages = engine::chat::messages_value(turns);
        vars.tools = engine::tmpl::Value::none();
        auto text = chat->render_for_tokenizer(vars, tok.add_bos());
        if (!text.ok()) {
            print_error(text.status().message());
            return kExitRuntime;
        }
        std::string reply;
        if (!generate(runner, tok, tok.encode(*text, true, true), f, stops, &reply))
            return kExitRuntime;
        std::fputs("\n", stdout);
        std::fflush(stdout);
        turns.emplace_back("assistant", reply);
    }
    return kExitOk;
}

int run_command(const EngineFlags& f) {
    auto m = load_model(f.model);
    if (!m) return kExitRuntime;
    if (!m->tokenizer) {
        print_error(f.model + " has no usable tokenizer: " + m->tokenizer_error);
        return kExitRuntime;
    }
    auto kv = kv_type_of(f.kv_type, m->model.config());
    if (!kv) return kExitUsage;
    const auto& tok = *m->tokenizer;
    auto pool = host::make_pool(thread_count(f));
    engine::session::Runner runner(m->model, *pool, engine::kernels::best_kernels(),
                                   context_size(f, m->model.config()), *kv, kRunBatch);
    if (!f.chat) {
        const auto prompt = tok.encode(prompt_with_stdin(f.prompt), true, false);
        return generate(runner, tok, prompt, f, {}) ? kExitOk : kExitRuntime;
    }
    return chat_loop(runner, *m, f);
}

int bench_command(const EngineFlags& f) {
    auto m = load_model(f.model);
    if (!m) return kExitRuntime;
    const auto& c = m->model.config();
    auto kv = kv_type_of(f.kv_type, c);
    if (!kv) return kExitUsage;
    const int threads = thread_count(f);
    auto pool = host::make_pool(threads);
    const uint32_t pp = static_cast<uint32_t>(std::max(1, f.bench_prompt));
    const uint32_t tg = static_cast<uint32_t>(std::max(1, f.bench_generate));
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(c.n_vocab) - 1);
    std::vector<double> pp_rates, tg_rates;
    const int reps = std::max(1, f.bench_repetitions);
    for (int rep = 0; rep < reps + 1; ++rep) { // the first round warms caches and is dropped
        engine::session::Runner runner(m->model, *pool, engine::kernels::best_kernels(),
                                       pp + tg + 1, *kv, 512);
        std::vector<int32_t> prompt(pp);
        for (auto& t : prompt)
            t = token(rng);
        auto start = Clock::now();
        if (core::Status st = runner.feed(prompt); !st.ok()) {
            print_error(st.message());
            return kExitRuntime;
        }
        const double pp_s = seconds_since(start);
        start = Clock::now();
        for (uint32_t i = 0; i < tg; ++i) {
            auto logits = runner.logits();
            const auto next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) -
                                                   logits.begin());
            if (core::Status st = runner.feed({&next, 1}); !st.ok()) {
                print_error(st.message());
                return kExitRuntime;
            }
        }
        const double tg_s = seconds_since(start);
        if (rep == 0) continue;
        pp_rates.push_back(pp / pp_s);
        tg_rates.push_back(tg / tg_s);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    const double pp_rate = median(pp_rates), tg_rate = median(tg_rates);
    const double gbps = tg_rate * static_cast<double>(m->model.weight_bytes()) / 1e9;
    if (f.json) {
        std::printf("{\"model\":\"%s\",\"threads\":%d,\"kernels\":\"%s\",\"pp_tokens\":%u,"
                    "\"tg_tokens\":%u,\"pp_tok_s\":%.3f,\"tg_tok_s\":%.3f,"
                    "\"weight_bytes\":%llu,\"tg_weight_gb_s\":%.3f}\n",
                    f.model.c_str(), threads,
                    std::string(engine::kernels::best_kernels().name).c_str(), pp, tg, pp_rate,
                    tg_rate, static_cast<unsigned long long>(m->model.weight_bytes()), gbps);
    } else {
        std::printf("model %s, %d threads, kernels %s\n", f.model.c_str(), threads,
                    std::string(engine::kernels::best_kernels().name).c_str());
        std::printf("pp%-5u %10.2f tok/s\n", pp, pp_rate);
        std::printf("tg%-5u %10.2f tok/s  (%.2f GB/s of weights)\n", tg, tg_rate, gbps);
    }
    return kExitOk;
}

void add_sampling_flags(Command* app, EngineFlags& f) {
    app->add_option("-n,--n-predict", f.n_predict,
                    "Tokens to generate (default 128; -1: until the context is full)");
    app->add_option("--temperature,--temp", f.temperature, "0 is greedy (default 0.8)");
    app->add_option("--top-k", f.top_k, "Keep the k most likely tokens; 0 keeps all (default 40)");
    app->add_option("--top-p", f.top_p, "Nucleus sampling (default 0.95)");
    app->add_option("--min-p", f.min_p, "Drop tokens below min-p x the best (default 0.05)");
    app->add_option("--repeat-penalty", f.repeat_penalty, "1 disables (default 1)");
    // Whether it was given is read after parsing (seed_given).
    app->add_option("--seed", f.seed, "Same seed, same output (default random)");
    app->add_flag("--ignore-eos", f.ignore_eos, "Keep generating past end-of-generation tokens");
}

} // namespace

void add_run_commands(Command& app, EngineFlags& f, RunCommands& c) {
    Command*& run = c.run;
    Command*& bench = c.bench;
    run = app.add_subcommand("run", "Generate text with a local GGUF model");
    run->add_option("-m,--model", f.model,
                    "GGUF model file, a model in models.dir, or hf:ORG/REPO:QUANT (pulled first)")
        .required();
    run->add_option("-p,--prompt", f.prompt,
                    "Prompt text (after a piped stdin; with --chat: the system prompt)");
    add_sampling_flags(run, f);
    run->add_option("-t,--threads", f.threads, "Threads (default: all CPUs)");
    run->add_option("-c,--ctx-size", f.ctx_size, "Context size (default: the model's, max 4096)");
    run->add_option("--kv-type", f.kv_type, "KV cache type: f16 (default), f32 or q8_0");
    run->add_flag("--chat", f.chat, "Interactive chat in the terminal");
    run->add_option("--chat-template", f.chat_template,
                    "A format name or a Jinja file (overrides the model's template)");

    bench = app.add_subcommand("bench", "Measure prompt processing and generation speed");
    bench->add_option("-m,--model", f.model, "GGUF model file or a model in models.dir").required();
    bench->add_option("-p,--n-prompt", f.bench_prompt, "Prompt tokens (default 128)");
    bench->add_option("-n,--n-gen", f.bench_generate, "Generated tokens (default 64)");
    bench->add_option("-t,--threads", f.threads, "Threads (default: all CPUs)");
    bench->add_option("-r,--repetitions", f.bench_repetitions,
                      "Runs; the median is reported (default 3)");
    bench->add_option("--kv-type", f.kv_type, "KV cache type: f16 (default), f32 or q8_0");
    bench->add_flag("--json", f.json, "One JSON object with pp_tok_s and tg_tok_s");
}

std::optional<int> run_run_command(RunCommands& c, EngineFlags& f) {
    if (c.run && c.run->parsed()) {
        f.seed_given = c.run->count("--seed") > 0;
        return run_command(f);
    }
    if (c.bench && c.bench->parsed()) return bench_command(f);
    return std::nullopt;
}

} // namespace edgeai::cli
