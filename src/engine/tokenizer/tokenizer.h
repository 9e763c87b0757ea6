// Text <-> token ids for the two vocabulary kinds GGUF models carry:
// tokenizer.ggml.model "llama" (SentencePiece-style BPE over characters with
// byte fallback: Llama 1/2, Mistral, TinyLlama, llama2.c) and "gpt2" (byte-level
// BPE with a regex pre-tokenizer: GPT-2, Llama 3, Qwen 2, SmolLM). The rules are
// llama.cpp's, which match Hugging Face's tokenizers on its test vectors.
//
// Some tokens are typed by their text as llama.cpp does (text_rules.h).
//
// tokenizer.ggml.pre picks the BPE pre-tokenizer (see pre_tokenizer.h); when it
// is missing or "default" the GPT-2 rules stand in (llama.cpp has a fallback
// regex of its own there), and an unknown name is refused. Without
// tokenizer.ggml.token_type the types are inferred: the special ids the file
// names are control/unknown tokens, SentencePiece's <0xXX> are byte tokens.
//
// from_gguf() validates the whole vocabulary once and builds every lookup table,
// so encode() does no per-call work proportional to the vocabulary. Token texts
// are views into the GGUF bytes: those bytes must outlive the Tokenizer (the
// GgufFile itself need not).
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/special_tokens.h"
#include "engine/tokenizer/spm.h"
#include "engine/tokenizer/vocab.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::tokenizer {

enum class TokenizerModel : uint8_t { kSentencePiece, kByteLevelBpe };

class Tokenizer {
  public:
    static core::Result<Tokenizer> from_gguf(const gguf::GgufFile& file);

    // add_special: BOS (and EOS) as tokenizer.ggml.add_bos_token/add_eos_token say.
    // parse_special: text spelling a control token ("<|im_start|>", "<s>") becomes
    // that token; otherwise it is ordinary text. User-defined tokens are always
    // matched whole, as in llama.cpp and Hugging Face. SentencePiece vocabularies
    // with add_space_prefix put a space before the text and after every special
    // token it contains. Any bytes are accepted; bytes that are not UTF-8 are
    // encoded as byte tokens (SentencePiece) or byte characters (BPE).
    std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special) const;

    // Appends the bytes token `id` stands for: SentencePiece U+2581 as a space and
    // <0xXX> as the byte, byte-level BPE characters as their bytes, user-defined
    // tokens verbatim. Control and unknown tokens append nothing unless
    // render_special; unused tokens and ids out of range append nothing. A piece
    // may end inside a UTF-8 sequence (byte tokens): streaming callers must hold
    // back incomplete characters.
    void append_piece(int32_t id, std::string& out, bool render_special = false) const;

    // The pieces of `ids` joined, without the space encode() added in front of
    // text (at the start and after special tokens) for add_space_prefix, so that
    // decode(encode(x)) == x for UTF-8 x without U+2581.
    std::string decode(std::span<const int32_t> ids, bool render_special = false) const;

    TokenizerModel model() const { return model_; }
    int32_t n_vocab() const { return vocab_.size(); }
    // kNoToken when the vocabulary has none.
    int32_t bos() const { return bos_; }
    int32_t eos() const { return eos_; }
    int32_t eot() const { return eot_; }
    int32_t eom() const { return eom_; }
    int32_t unk() const { return unk_; }
    int32_t pad() const { return pad_; }
    bool add_bos() const { return add_bos_; }
    bool add_eos() const { return add_eos_; }
    bool add_space_prefix() const { return add_space_prefix_; }
    // EOS, EOT, EOM, and the tokens llama.cpp also ends a turn on by their text
    // (<|eot_id|>, <|im_end|>, <end_of_turn>, </s>, ...: text_rules.h).
    bool is_end_of_generation(int32_t id) const;

    // Empty / kNormal for ids out of range.
    std::string_view token_text(int32_t id) const;
    TokenType token_type(int32_t id) const;
    float token_score(int32_t id) const;
    std::optional<int32_t> find(std::string_view text) const;

  private:
    Tokenizer() = default;
    void encode_text(std::string_view text, bool after_special, std::vector<int32_t>& out) const;

    TokenizerModel model_ = TokenizerModel::kSentencePiece;
    Vocab vocab_;
    SpecialTokenMatcher specials_;
    ByteTokens spm_byte_tokens_{}; // SentencePiece only
    std::optional<Bpe> bpe_;       // byte-level BPE only
    int32_t bos_ = kNoToken;
    int32_t eos_ = kNoToken;
    int32_t eot_ = kNoToken;
    int32_t eom_ = kNoToken;
    int32_t unk_ = kNoToken;
    int32_t pad_ = kNoToken;
    bool add_bos_ = false;
    bool add_eos_ = false;
    bool add_space_prefix_ = false;
    std::vector<int32_t> end_of_generation_; // sorted
};

} // namespace edgeai::engine::tokenizer
