// The flags of the local-engine subcommands (run, bench, model ...), shared
// by the native edgeai and edgeai.wasm.
#pragma once

#include <cstdint>
#include <string>

namespace edgeai::cli {

struct EngineFlags {
    std::string model;
    std::string prompt;
    int n_predict = 128;
    float temperature = 0.8f;
    int top_k = 40;
    float top_p = 0.95f;
    float min_p = 0.05f;
    float repeat_penalty = 1.0f;
    uint64_t seed = 0;
    bool seed_given = false;
    int threads = 0; // 0: every CPU this process may use
    int ctx_size = 0;
    std::string kv_type = "f16";
    bool chat = false;
    std::string chat_template;
    bool ignore_eos = false;
    // bench
    int bench_prompt = 128;
    int bench_generate = 64;
    int bench_repetitions = 3;
    bool json = false;
    // model eval / quantize / convert
    std::string tokens;
    std::string logits_out;
    std::string in_file, out_file, type_name, tokenizer_file;
    bool pure = false;
    std::string synth_shape; // model synth (its seed is `seed`)
};

} // namespace edgeai::cli
