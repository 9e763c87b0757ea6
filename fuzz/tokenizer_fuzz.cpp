// Prompts and model files from anywhere. An input starting with "GGUF" is a
// model file: its vocabulary must load or be refused, and a loaded one must
// encode. Any other input is byte 0 (bit 0 add_special, bit 1 parse_special)
// then text, encoded by small SentencePiece and byte-level BPE vocabularies
// built here: every id must be in range, decoding must give the text back
// (SentencePiece's U+2581 aside, which stands for a space), and any ids at all
// must decode without leaving the vocabulary.
#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/tokenizer.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using edgeai::engine::gguf::GgufFile;
using edgeai::engine::gguf::GgufWriter;
using edgeai::engine::tokenizer::Tokenizer;

std::span<const uint8_t> as_bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

const std::vector<std::string> kPieces = {"\xE2\x96\x81",
                                          "a",
                                          "b",
                                          "e",
                                          "h",
                                          "l",
                                          "o",
                                          "\n",
                                          "\xE2\x96\x81h",
                                          "\xE2\x96\x81he",
                                          "ll",
                                          "\xE2\x96\x81hell",
                                          "\xE2\x96\x81hello",
                                          "\xC3\xA9",
                                          "\xE4\xB8\xAD"};

std::string spm_vocab() {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<float> scores = {0, 0, 0};
    std::vector<int32_t> types = {2, 3, 3};
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">");
        scores.push_back(0);
        types.push_back(6);
    }
    for (size_t i = 0; i < kPieces.size(); ++i) {
        tokens.push_back(kPieces[i]);
        scores.push_back(-static_cast<float>(i % 5));
        types.push_back(1);
    }
    tokens.push_back("<|user|>");
    types.push_back(3);
    tokens.push_back("<tool>");
    types.push_back(4);
    scores.resize(tokens.size(), 0);
    GgufWriter w;
    w.add_string("tokenizer.ggml.model", "llama")
        .add_string_array("tokenizer.ggml.tokens", tokens)
        .add_f32_array("tokenizer.ggml.scores", scores)
        .add_i32_array("tokenizer.ggml.token_type", types)
        .add_u32("tokenizer.ggml.bos_token_id", 1)
        .add_u32("tokenizer.ggml.eos_token_id", 2)
        .add_u32("tokenizer.ggml.unknown_token_id", 0);
    return w.finish();
}

std::string byte_char(int b) {
    std::string s;
    edgeai::engine::tokenizer::append_utf8(
        edgeai::engine::tokenizer::byte_to_code_point(static_cast<uint8_t>(b)), s);
    return s;
}

std::string bpe_vocab(std::string_view pre) {
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(byte_char(b));
        types.push_back(1);
    }
    const std::vector<std::string> merges = {"h e",    "l l",     "Ġ h", "he ll", "hell o", "Ġh e",
                                             "Ġhe ll", "Ġhell o", "1 2", "12 3",  "Ċ Ċ",    "Ã ©"};
    for (const std::string& m : merges) {
        size_t space = m.find(' ', 1);
        std::string merged = m.substr(0, space) + m.substr(space + 1);
        bool known = false;
        for (const std::string& t : tokens)
            known = known || t == merged;
        if (!known) {
            tokens.push_back(merged);
            types.push_back(1);
        }
    }
    for (const char* special : {"<|im_start|>", "<|im_end|>", "<|endoftext|>"}) {
        tokens.push_back(special);
        types.push_back(3);
    }
    tokens.push_back("<tool>");
    types.push_back(4);
    GgufWriter w;
    w.add_string("tokenizer.ggml.model", "gpt2")
        .add_string("tokenizer.ggml.pre", pre)
        .add_string_array("tokenizer.ggml.tokens", tokens)
        .add_i32_array("tokenizer.ggml.token_type", types)
        .add_string_array("tokenizer.ggml.merges", merges)
        .add_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(tokens.size() - 2))
        .add_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(tokens.size() - 2));
    return w.finish();
}

struct Fixture {
    std::string bytes; // the tokenizer's texts point here
    std::unique_ptr<Tokenizer> tokenizer;
};

std::vector<Fixture> make_fixtures() {
    std::vector<Fixture> fixtures;
    for (std::string bytes : {spm_vocab(), bpe_vocab("gpt-2"), bpe_vocab("llama-bpe"),
                              bpe_vocab("qwen2"), bpe_vocab("smollm")}) {
        Fixture f;
        f.bytes = std::move(bytes);
        auto file = GgufFile::parse(as_bytes(f.bytes));
        if (!file.ok()) __builtin_trap();
        auto tok = Tokenizer::from_gguf(*file);
        if (!tok.ok()) __builtin_trap();
        f.tokenizer = std::make_unique<Tokenizer>(std::move(*tok));
        fixtures.push_back(std::move(f));
    }
    return fixtures;
}

void check(const Tokenizer& tok, std::string_view text, bool add_special, bool parse_special) {
    std::vector<int32_t> ids = tok.encode(text, add_special, parse_special);
    for (int32_t id : ids) {
        if (id < 0 || id >= tok.n_vocab()) __builtin_trap();
    }
    // BOS would print as "<s>" with render_special; the rest must be the text.
    std::span<const int32_t> body(ids);
    if (add_special && tok.add_bos()) {
        if (body.empty() || body.front() != tok.bos()) __builtin_trap();
        body = body.subspan(1);
    }
    bool lossless = tok.model() == edgeai::engine::tokenizer::TokenizerModel::kByteLevelBpe ||
                    text.find("\xE2\x96\x81") == std::string_view::npos;
    if (lossless && tok.decode(body, parse_special) != text) __builtin_trap();
}

void load_model_file(const uint8_t* data, size_t size) {
    auto file = GgufFile::parse(std::span<const uint8_t>(data, size));
    if (!file.ok()) return;
    auto tok = Tokenizer::from_gguf(*file);
    if (!tok.ok()) return;
    std::vector<int32_t> ids = tok->encode("Hello <s> world\n\xC3\xA9 123", true, true);
    for (int32_t id : ids) {
        if (id < 0 || id >= tok->n_vocab()) __builtin_trap();
    }
    (void)tok->decode(ids, true);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size >= 4 && std::memcmp(data, "GGUF", 4) == 0) {
        load_model_file(data, size);
        return 0;
    }
    static const std::vector<Fixture> fixtures = make_fixtures();
    if (size == 0) return 0;
    const bool add_special = (data[0] & 1) != 0;
    const bool parse_special = (data[0] & 2) != 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    for (const Fixture& f : fixtures)
        check(*f.tokenizer, text, add_special, parse_special);

    // The same bytes as ids, in range or not.
    std::vector<int32_t> ids(text.size() / 2);
    for (size_t i = 0; i < ids.size(); ++i) {
        int16_t v = 0;
        std::memcpy(&v, text.data() + 2 * i, 2);
        ids[i] = v;
    }
    for (const Fixture& f : fixtures) {
        std::string piece;
        for (int32_t id : ids)
            f.tokenizer->append_piece(id, piece, true);
        (void)f.tokenizer->decode(ids, false);
    }
    return 0;
}
