// Constrained decoding's cost per token: the vocabulary mask (trie walk from
// the matcher's state) plus advancing the matcher, on a real vocabulary,
// while a nested-schema answer is produced token by token. Printed next to
// the decode time of the model it would slow down (pass --decode-ms, measured
// with `edgeai bench -m MODEL -t 1`), as a percentage.
//
// Usage: grammar_bench [VOCAB.gguf] [--decode-ms MS]
// Default vocabulary: qwen2.5-0.5b q4_0 from ../shared/data when present, else
// the GPT-2 vocabulary there (50k tokens; say so in the table).
#include "engine/gguf/gguf_file.h"
#include "engine/grammar/json_schema.h"
#include "engine/grammar/matcher.h"
#include "engine/grammar/token_trie.h"
#include "engine/tokenizer/tokenizer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace edgeai::engine;

namespace {

constexpr const char* kSchema = R"({"type":"object","properties":{
  "name":{"type":"string","maxLength":40},
  "kind":{"enum":["person","place","thing"]},
  "age":{"type":"integer","minimum":0,"maximum":150},
  "address":{"type":"object","properties":{"street":{"type":"string"},
     "city":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"}},
     "required":["street","city","zip"],"additionalProperties":false},
  "tags":{"type":"array","items":{"type":"string","maxLength":20},"maxItems":8},
  "scores":{"type":"array","items":{"type":"number"}},
  "when":{"type":"string","format":"date"}},
  "required":["name","kind","age","address","tags","scores","when"],
  "additionalProperties":false})";

constexpr const char* kAnswer =
    R"({"name":"Ada Lovelace, the first programmer","kind":"person","age":36,)"
    R"("address":{"street":"12 St James's Square","city":"London","zip":"12345"},)"
    R"("tags":["math","engines","poetry","notes"],"scores":[9.5,8.25,10],"when":"1843-07-10"})";

double now_us() {
    using namespace std::chrono;
    return static_cast<double>(
               duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count()) /
           1e3;
}

} // namespace

int main(int argc, char** argv) {
    std::string path;
    double decode_ms = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--decode-ms") == 0 && i + 1 < argc)
            decode_ms = std::atof(argv[++i]);
        else
            path = argv[i];
    }
    const std::string data = EDGEAI_SOURCE_DIR "/../shared/data/";
    const char* candidates[] = {"qwen2.5-0.5b-instruct-q4_0.gguf",
                                "qwen2.5/qwen2.5-0.5b-instruct-q4_0.gguf",
                                "tokenizer/ggml-vocab-gpt-2.gguf"};
    for (const char* c : candidates) {
        if (!path.empty()) break;
        if (std::ifstream(data + c).good()) path = data + c;
    }
    if (path.empty()) {
        std::printf("no vocabulary found under %s; pass a GGUF file\n", data.c_str());
        return 0;
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    auto file = gguf::GgufFile::parse(bytes);
    if (!file.ok()) {
        std::printf("%s: %s\n", path.c_str(), file.status().to_string().c_str());
        return 1;
    }
    auto tok = tokenizer::Tokenizer::from_gguf(*file);
    if (!tok.ok()) {
        std::printf("%s: %s\n", path.c_str(), tok.status().to_string().c_str());
        return 1;
    }
    double t0 = now_us();
    auto trie = grammar::TokenTrie::build(*tok);
    const double build_ms = (now_us() - t0) / 1e3;
    auto gbnf = grammar::json_schema_to_gbnf(kSchema);
    t0 = now_us();
    auto g = grammar::compile_gbnf(*gbnf);
    const double compile_us = now_us() - t0;
    if (!g.ok()) {
        std::printf("grammar: %s\n", g.status().to_string().c_str());
        return 1;
    }
    const std::vector<int32_t> ids = tok->encode(kAnswer, false, false);
    std::vector<float> logits(static_cast<size_t>(tok->n_vocab()));
    std::vector<uint8_t> scratch;
    // Several passes: the first pays for filling the matcher's tables (each
    // request does), the later ones show the steady state.
    std::printf("vocabulary %s: %d tokens, %zu trie nodes (built in %.1f ms); schema grammar "
                "compiled in %.0f us\n",
                path.c_str(), tok->n_vocab(), trie->node_count(), build_ms, compile_us);
    std::printf("| pass | tokens | mask+advance us/token (mean) | max us | vs decode |\n");
    std::printf("| --- | --- | --- | --- | --- |\n");
    for (int pass = 0; pass < 3; ++pass) {
        auto m = grammar::Matcher::create(*g);
        double total = 0, worst = 0;
        std::string piece;
        for (int32_t id : ids) {
            const double s = now_us();
            if (auto st = m->compact(); !st.ok()) return 1;
            if (auto st = trie->mask(*m, logits, scratch); !st.ok()) {
                std::printf("mask: %s\n", st.to_string().c_str());
                return 1;
            }
            piece.clear();
            tok->append_piece(id, piece);
            auto fits = m->advance(piece);
            const double d = now_us() - s;
            total += d;
            worst = std::max(worst, d);
            if (!fits.ok() || !*fits) {
                std::printf("the answer left the grammar at token %d\n", id);
                return 1;
            }
        }
        const double mean = total / static_cast<double>(ids.size());
        char rel[64] = "(pass --decode-ms)";
        if (decode_ms > 0) std::snprintf(rel, sizeof rel, "+%.1f%%", mean / (decode_ms * 10));
        std::printf("| %d%s | %zu | %.1f | %.1f | %s |\n", pass + 1, pass == 0 ? " (cold)" : "",
                    ids.size(), mean, worst, rel);
    }
    return 0;
}
