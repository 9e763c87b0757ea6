#include "engine_commands.h"

#include "cli_output.h"
#include "progress_bar.h"
#include "run_commands.h"

#include "engine/chat/chat_format.h"
#include "engine/chat/template_family.h"
#include "engine/convert/llama2c.h"
#include "engine/convert/quantize_model.h"
#include "engine/convert/synth.h"
#include "engine/kernels/kernel_table.h"
#include "engine/session/completion.h"
#include "engine/session/runner.h"
#include "platform/native/engine/chat_template_flag.h"
#include "platform/native/engine/local_model.h"
#include "platform/native/engine/mapped_file.h"
#include "platform/native/engine/worker_threads.h"
#include "platform/native/system/files.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <unistd.h>

namespace edgeai::cli {
namespace {

namespace native = platform::native;
using Clock = std::chrono::steady_clock;

bool read_whole_file(const std::string& path, std::string& out) {
    auto text = native::read_text_file(path);
    if (!text.ok()) return false;
    out = std::move(text).value();
    return true;
}

// Written beside the target, then renamed over it: a reader never sees half
// a file. stdio rather than <fstream>, which would link iostreams.
bool write_whole_file(const std::string& path, const std::string& data) {
    const std::string tmp = path + ".tmp";
    std::FILE* out = std::fopen(tmp.c_str(), "wb");
    if (out == nullptr) return false;
    const bool written = std::fwrite(data.data(), 1, data.size(), out) == data.size();
    if (std::fclose(out) != 0 || !written) {
        std::remove(tmp.c_str());
        return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// "1 2 3" -> {1, 2, 3}; whitespace of any kind between ids, as `>>` read
// them. Errors are the messages --tokens gives.
core::Result<std::vector<int32_t>> parse_token_ids(std::string_view text) {
    std::vector<int32_t> ids;
    const char* p = text.data();
    const char* const end = p + text.size();
    for (;;) {
        while (p != end && std::isspace(static_cast<unsigned char>(*p)))
            ++p;
        if (p == end) return ids;
        if (*p == '+' && p + 1 != end && *(p + 1) != '-') ++p;
        long long id = 0;
        auto [next, ec] = std::from_chars(p, end, id);
        if (ec != std::errc())
            return core::invalid_argument("--tokens must be space-separated integers");
        if (id < INT32_MIN || id > INT32_MAX)
            return core::invalid_argument("token id " + std::to_string(id) + " is out of range");
        ids.push_back(static_cast<int32_t>(id));
        p = next;
    }
}

std::span<const uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

int info_command(const EngineFlags& f) {
    auto m = load_model(f.model, /*pack=*/false);
    if (!m) return kExitRuntime;
    const auto& g = m->gguf;
    std::printf("file: %s\nGGUF version %u, %zu metadata keys, %zu tensors, alignment %llu\n",
                f.model.c_str(), g.version(), g.metadata().size(), g.tensors().size(),
                static_cast<unsigned long long>(g.alignment()));
    std::printf("\nmetadata:\n");
    for (const auto& kv : g.metadata()) {
        std::string value;
        using engine::gguf::ValueType;
        if (kv.type == ValueType::kString) {
            std::string_view s = *g.get_string(kv.key);
            value = s.size() > 80 ? std::string(s.substr(0, 77)) + "..." : std::string(s);
            for (char& ch : value)
                if (ch == '\n') ch = ' ';
        } else if (kv.type == ValueType::kArray) {
            value = "[" + std::to_string(kv.count) + " x " +
                    std::string(engine::gguf::value_type_name(kv.element_type)) + "]";
        } else if (kv.type == ValueType::kF32 || kv.type == ValueType::kF64) {
            value = std::to_string(*g.get_float(kv.key));
        } else if (kv.type == ValueType::kBool) {
            value = *g.get_bool(kv.key) ? "true" : "false";
        } else if (auto u = g.get_int(kv.key); u.ok()) {
            value = std::to_string(*u);
        } else {
            value = std::to_string(*g.get_uint(kv.key));
        }
        std::printf("  %-45s %s\n", std::string(kv.key).c_str(), value.c_str());
    }
    std::map<std::string, std::pair<size_t, uint64_t>> by_type;
    uint64_t total = 0;
    for (const auto& t : g.tensors()) {
        auto& e = by_type[std::string(t.type->name)];
        ++e.first;
        e.second += t.size;
        total += t.size;
    }
    std::printf("\ntensors by type:\n");
    for (const auto& [name, e] : by_type)
        std::printf("  %-6s %5zu tensors %10.2f MiB\n", name.c_str(), e.first,
                    static_cast<double>(e.second) / (1 << 20));
    const auto& c = m->model.config();
    const uint32_t ctx = context_size(f, c);
    const uint64_t kv =
        engine::model::KvCache::bytes_needed(c, ctx, engine::model::KvType::kF16, kRunBatch);
    std::printf("\nmemory: weights %.2f MiB; KV cache (f16) %.2f MiB at %u context\n",
                static_cast<double>(total) / (1 << 20), static_cast<double>(kv) / (1 << 20), ctx);
    std::printf("model: %s, %u layers, embd %u, heads %u/%u (head %u), ffn %u, vocab %u, "
                "trained context %u, rope base %.0f\n",
                c.arch_name.c_str(), c.n_layer, c.n_embd, c.n_head, c.n_head_kv, c.head_dim, c.n_ff,
                c.n_vocab, c.n_ctx_train, static_cast<double>(c.rope_base));
    if (m->tokenizer)
        std::printf("tokenizer: %s, %d tokens, bos %d, eos %d\n",
                    m->tokenizer->model() == engine::tokenizer::TokenizerModel::kSentencePiece
                        ? "SentencePiece"
                        : "byte-level BPE",
                    m->tokenizer->n_vocab(), m->tokenizer->bos(), m->tokenizer->eos());
    else
        std::printf("tokenizer: none (%s)\n", m->tokenizer_error.c_str());
    return kExitOk;
}

int eval_command(const EngineFlags& f) {
    auto parsed = parse_token_ids(f.tokens);
    if (!parsed.ok()) {
        print_error(parsed.status().message());
        return kExitUsage;
    }
    const std::vector<int32_t>& ids = *parsed;
    if (ids.empty()) {
        print_error("--tokens is empty");
        return kExitUsage;
    }
    auto m = load_model(f.in_file);
    if (!m) return kExitRuntime;
    auto kv = kv_type_of(f.kv_type, m->model.config());
    if (!kv) return kExitUsage;
    native::WorkerThreads pool(thread_count(f));
    engine::session::Runner runner(m->model, pool, engine::kernels::best_kernels(),
                                   static_cast<uint32_t>(ids.size()), *kv, kRunBatch);
    std::vector<float> logits(ids.size() * m->model.config().n_vocab);
    if (core::Status st = runner.feed(ids, logits.data()); !st.ok()) {
        print_error(st.message());
        return kExitRuntime;
    }
    std::string bytes(reinterpret_cast<const char*>(logits.data()), logits.size() * sizeof(float));
    if (!write_whole_file(f.logits_out, bytes)) {
        print_error("cannot write " + f.logits_out);
        return kExitRuntime;
    }
    std::fprintf(stderr, "edgeai: wrote %zu x %u logits to %s\n", ids.size(),
                 m->model.config().n_vocab, f.logits_out.c_str());
    return kExitOk;
}

int quantize_command(const EngineFlags& f) {
    const engine::convert::QuantMix* mix = engine::convert::find_quant_mix(f.type_name);
    if (mix == nullptr) {
        print_error("unknown type '" + f.type_name +
                    "' (llama.cpp's names: " + engine::convert::quant_mix_names() + ")");
        return kExitUsage;
    }
    auto in = native::MappedFile::open(f.in_file);
    if (!in.ok()) {
        print_error(in.status().message());
        return kExitRuntime;
    }
    auto gguf = engine::gguf::GgufFile::parse(in->bytes());
    if (!gguf.ok()) {
        print_error(f.in_file + ": " + gguf.status().message());
        return kExitRuntime;
    }
    const auto start = Clock::now();
    ProgressBar progress("quantizing to " + f.type_name, gguf->tensors().size());
    // Each fallback is told as it is decided, before any tensor is written,
    // as llama.cpp's quantizer does.
    auto out = engine::convert::quantize_model(
        *gguf, *mix, f.pure,
        [](const std::string& line) { std::fprintf(stderr, "edgeai: %s\n", line.c_str()); },
        [&](size_t done) { progress.update(done); });
    progress.finish();
    if (!out.ok()) {
        print_error(out.status().message());
        return kExitRuntime;
    }
    if (!write_whole_file(f.out_file, *out)) {
        print_error("cannot write " + f.out_file);
        return kExitRuntime;
    }
    std::fprintf(stderr, "edgeai: wrote %s (%.2f MiB) in %.1f s\n", f.out_file.c_str(),
                 static_cast<double>(out->size()) / (1 << 20), seconds_since(start));
    return kExitOk;
}

class FileSink final : public engine::convert::ByteSink {
  public:
    FileSink(const std::string& path, ProgressBar* progress)
        : out_(std::fopen(path.c_str(), "wb")), progress_(progress) {}
    ~FileSink() { close(); }
    FileSink(const FileSink&) = delete;
    FileSink& operator=(const FileSink&) = delete;
    bool is_open() const { return out_ != nullptr; }
    core::Status write(std::string_view bytes) override {
        if (out_ == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), out_) != bytes.size()) {
            failed_ = true;
            return core::unavailable("write failed (disk full?)");
        }
        written_ += bytes.size();
        if (progress_ != nullptr) progress_->update(written_);
        return core::Status();
    }
    // False if a write or the flush on close failed.
    bool close() {
        if (out_ != nullptr) {
            if (std::fclose(out_) != 0) failed_ = true;
            out_ = nullptr;
        }
        return !failed_;
    }

  private:
    std::FILE* out_;
    bool failed_ = false;
    ProgressBar* progress_;
    uint64_t written_ = 0;
};

int synth_command(const EngineFlags& f) {
    const auto* shape = engine::convert::find_shape(f.synth_shape);
    if (!shape) {
        std::string names;
        for (const auto& s : engine::convert::published_shapes())
            names += (names.empty() ? "" : ", ") + std::string(s.name);
        print_error("unknown shape '" + f.synth_shape + "' (" + names + ")");
        return kExitUsage;
    }
    auto type = engine::convert::parse_weight_type(f.type_name);
    if (!type) {
        print_error("unknown type '" + f.type_name + "' (" + engine::convert::weight_type_names() +
                    ")");
        return kExitUsage;
    }
    const auto start = Clock::now();
    const std::string tmp = f.out_file + ".tmp";
    uint64_t tensor_bytes = 0;
    for (const auto& t : engine::convert::synth_tensors(*shape, *type))
        tensor_bytes += t.bytes;
    ProgressBar progress("synthesizing " + std::string(shape->name), tensor_bytes);
    FileSink sink(tmp, &progress);
    if (!sink.is_open()) {
        print_error("cannot write " + tmp);
        return kExitRuntime;
    }
    core::Status st = engine::convert::write_synth_model(*shape, *type, f.seed, sink);
    progress.finish();
    if (!sink.close() && st.ok()) st = core::unavailable("cannot write " + tmp);
    if (!st.ok() || std::rename(tmp.c_str(), f.out_file.c_str()) != 0) {
        std::remove(tmp.c_str());
        print_error(st.ok() ? "cannot write " + f.out_file : st.message());
        return kExitRuntime;
    }
    std::fprintf(stderr, "edgeai: wrote %s (%s, random weights, %.2f MiB of tensors) in %.1f s\n",
                 f.out_file.c_str(), std::string(shape->name).c_str(),
                 static_cast<double>(tensor_bytes) / (1 << 20), seconds_since(start));
    return kExitOk;
}

int convert_command(const EngineFlags& f) {
    std::string checkpoint, tokenizer;
    if (!read_whole_file(f.in_file, checkpoint)) {
        print_error("cannot read " + f.in_file);
        return kExitRuntime;
    }
    if (!read_whole_file(f.tokenizer_file, tokenizer)) {
        print_error("cannot read " + f.tokenizer_file);
        return kExitRuntime;
    }
    std::string name = native::model_id_from_path(f.in_file);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".bin") == 0)
        name.resize(name.size() - 4);
    auto out = engine::convert::convert_llama2c(bytes_of(checkpoint), bytes_of(tokenizer), name);
    if (!out.ok()) {
        print_error(f.in_file + ": " + out.status().message());
        return kExitRuntime;
    }
    if (!write_whole_file(f.out_file, *out)) {
        print_error("cannot write " + f.out_file);
        return kExitRuntime;
    }
    std::fprintf(stderr, "edgeai: wrote %s\n", f.out_file.c_str());
    return kExitOk;
}

} // namespace

void add_engine_commands(Command& app, EngineCommands& c) {
    EngineFlags& f = c.flags;
    RunCommands run_commands;
    add_run_commands(app, f, run_commands);
    c.run = run_commands.run;
    c.bench = run_commands.bench;

    Command* model = app.add_subcommand("model", "Inspect, evaluate, quantize and convert models");
    c.model = model;
    model->require_subcommand();
    c.info = model->add_subcommand("info", "Metadata, tensors, types and memory needed");
    c.info->add_option("file", f.model, "GGUF model file").required();
    c.info->add_option("-c,--ctx-size", f.ctx_size, "Context size for the KV cache estimate");
    c.eval = model->add_subcommand("eval", "Write the logits of forced token ids");
    c.eval->add_option("file", f.in_file, "GGUF model file").required();
    c.eval->add_option("--tokens", f.tokens, "Space-separated token ids fed at positions 0..n-1")
        .required();
    c.eval
        ->add_option("--logits", f.logits_out,
                     "Output: float32, one row of vocab size per position")
        .required();
    c.eval->add_option("-t,--threads", f.threads, "Threads (default: all CPUs)");
    c.eval->add_option("--kv-type", f.kv_type, "KV cache type: f16, f32 or q8_0")
        .default_text("f32");
    c.quantize = model->add_subcommand("quantize", "Rewrite a model's weights in another type");
    c.quantize->add_option("in", f.in_file, "Input GGUF").required();
    c.quantize->add_option("out", f.out_file, "Output GGUF").required();
    c.quantize
        ->add_option("type", f.type_name, "llama.cpp's mix: " + engine::convert::quant_mix_names())
        .required();
    c.quantize->add_flag("--pure", f.pure,
                         "Every quantized tensor in the mix's type (llama-quantize --pure)");
    c.convert = model->add_subcommand("convert-llama2c", "Convert a llama2.c checkpoint to GGUF");
    c.convert->add_option("checkpoint", f.in_file, "llama2.c model (.bin)").required();
    c.convert->add_option("tokenizer", f.tokenizer_file, "llama2.c tokenizer (.bin)").required();
    c.convert->add_option("-o,--output", f.out_file, "Output GGUF").required();
    c.synth = model->add_subcommand(
        "synth", "Write a random-weight model with a published shape (for benchmarks)");
    c.synth
        ->add_option("--shape", f.synth_shape,
                     "smollm-135m, qwen2.5-0.5b, tinyllama-1.1b, qwen3-0.6b, gemma3-1b, "
                     "phi4-mini, smollm3-3b, granite-3.3-2b or llama3.2-1b (their real "
                     "dimensions)")
        .required();
    c.synth
        ->add_option("--type", f.type_name, "Weight type: " + engine::convert::weight_type_names())
        .required();
    c.synth->add_option("-o,--output", f.out_file, "Output GGUF").required();
    c.synth->add_option("--seed", f.seed, "Seed of the weights (default 0)");
}

std::optional<int> run_engine_command(EngineCommands& c) {
    RunCommands run_commands{c.run, c.bench};
    if (auto code = run_run_command(run_commands, c.flags)) return code;
    if (c.info && c.info->parsed()) return info_command(c.flags);
    if (c.eval && c.eval->parsed()) {
        if (c.eval->count("--kv-type") == 0) c.flags.kv_type = "f32";
        return eval_command(c.flags);
    }
    if (c.quantize && c.quantize->parsed()) return quantize_command(c.flags);
    if (c.convert && c.convert->parsed()) return convert_command(c.flags);
    if (c.synth && c.synth->parsed()) return synth_command(c.flags);
    return std::nullopt;
}

} // namespace edgeai::cli
