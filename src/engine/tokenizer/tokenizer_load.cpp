// Tokenizer::from_gguf: reads and cross-checks the tokenizer.ggml.* metadata.
// A file that disagrees with itself is refused with a message naming the keys
// and values, never half-loaded.
#include "engine/tokenizer/tokenizer.h"

#include "core/hex.h"
#include "engine/tokenizer/text_rules.h"

#include <cmath>
#include <initializer_list>
#include <string>

namespace edgeai::engine::tokenizer {

namespace {

constexpr std::string_view kModelKey = "tokenizer.ggml.model";
constexpr std::string_view kPreKey = "tokenizer.ggml.pre";
constexpr std::string_view kTokensKey = "tokenizer.ggml.tokens";
constexpr std::string_view kScoresKey = "tokenizer.ggml.scores";
constexpr std::string_view kTypesKey = "tokenizer.ggml.token_type";
constexpr std::string_view kMergesKey = "tokenizer.ggml.merges";
constexpr std::string_view kAddBosKey = "tokenizer.ggml.add_bos_token";
constexpr std::string_view kAddEosKey = "tokenizer.ggml.add_eos_token";
constexpr std::string_view kAddSpacePrefixKey = "tokenizer.ggml.add_space_prefix";
constexpr std::string_view kBosKey = "tokenizer.ggml.bos_token_id";
constexpr std::string_view kEosKey = "tokenizer.ggml.eos_token_id";

std::string str(std::string_view s) {
    return std::string(s);
}

template <typename T> core::Result<T> in_tokenizer(core::Result<T> result) {
    if (result.ok()) return result;
    core::Status status = result.status();
    status.with_context("tokenizer: ");
    return status;
}

core::Status mismatch(std::string_view key, size_t count, size_t n_tokens) {
    return core::data_loss("tokenizer: " + str(kTokensKey) + " has " + std::to_string(n_tokens) +
                           " entries but " + str(key) + " has " + std::to_string(count));
}

// An optional boolean key: absent keeps the default, another type is an error.
core::Status read_flag(const gguf::GgufFile& file, std::string_view key, bool* value) {
    if (file.find(key) == nullptr) return core::Status();
    auto v = in_tokenizer(file.get_bool(key));
    if (!v.ok()) return v.status();
    *value = *v;
    return core::Status();
}

// An optional token id key: absent keeps the default; present, it must name a token.
core::Status read_id(const gguf::GgufFile& file, std::string_view key, int32_t n_tokens,
                     int32_t* id) {
    if (file.find(key) == nullptr) return core::Status();
    auto v = in_tokenizer(file.get_uint(key));
    if (!v.ok()) return v.status();
    if (*v >= static_cast<uint64_t>(n_tokens)) {
        return core::data_loss("tokenizer: " + str(key) + " is " + std::to_string(*v) +
                               ", but the vocabulary has " + std::to_string(n_tokens) +
                               " tokens (ids 0 to " + std::to_string(n_tokens - 1) + ")");
    }
    *id = static_cast<int32_t>(*v);
    return core::Status();
}

core::Result<std::vector<float>> read_scores(const gguf::GgufFile& file, size_t n_tokens) {
    if (file.find(kScoresKey) == nullptr) return std::vector<float>(n_tokens, 0.0f);
    EDGEAI_ASSIGN_OR_RETURN(std::vector<double> raw,
                            in_tokenizer(file.get_float_array(kScoresKey)));
    if (raw.size() != n_tokens) return mismatch(kScoresKey, raw.size(), n_tokens);
    std::vector<float> scores(n_tokens);
    for (size_t i = 0; i < n_tokens; ++i) {
        // NaN has no order, and the merge queue needs one.
        if (std::isnan(raw[i])) {
            return core::data_loss("tokenizer: " + str(kScoresKey) + "[" + std::to_string(i) +
                                   "] is NaN; scores must be numbers");
        }
        scores[i] = static_cast<float>(raw[i]);
    }
    return scores;
}

core::Result<std::vector<TokenType>> read_types(const gguf::GgufFile& file, size_t n_tokens) {
    EDGEAI_ASSIGN_OR_RETURN(std::vector<int64_t> raw, in_tokenizer(file.get_int_array(kTypesKey)));
    if (raw.size() != n_tokens) return mismatch(kTypesKey, raw.size(), n_tokens);
    std::vector<TokenType> types(n_tokens);
    for (size_t i = 0; i < n_tokens; ++i) {
        if (raw[i] < 1 || raw[i] > 6) {
            return core::data_loss("tokenizer: " + str(kTypesKey) + "[" + std::to_string(i) +
                                   "] is " + std::to_string(raw[i]) +
                                   "; token types are 1 (normal), 2 (unknown), 3 (control), 4 "
                                   "(user-defined), 5 (unused) and 6 (byte)");
        }
        types[i] = static_cast<TokenType>(raw[i]);
    }
    return types;
}

// Without tokenizer.ggml.token_type llama.cpp takes every token as normal, so
// <s> would print and <0x0A> would never become a newline. The ids the file
// names and SentencePiece's byte spelling say enough to do better.
std::vector<TokenType> inferred_types(const Vocab& vocab, TokenizerModel model,
                                      std::initializer_list<int32_t> control, int32_t unknown) {
    std::vector<TokenType> types(vocab.text.size(), TokenType::kNormal);
    if (model == TokenizerModel::kSentencePiece) {
        for (size_t i = 0; i < types.size(); ++i) {
            if (byte_token_value(vocab.text[i])) types[i] = TokenType::kByte;
        }
    }
    for (int32_t id : control) {
        if (id != kNoToken) types[static_cast<size_t>(id)] = TokenType::kControl;
    }
    if (unknown != kNoToken) types[static_cast<size_t>(unknown)] = TokenType::kUnknown;
    return types;
}

// The token of each byte for SentencePiece's byte fallback.
ByteTokens spm_byte_tokens(const Vocab& vocab, int32_t unknown) {
    ByteTokens table{};
    for (size_t b = 0; b < 256; ++b) {
        char upper[] = {'<', '0', 'x', 0, 0, '>'};
        char lower[] = {'<', '0', 'x', 0, 0, '>'};
        core::write_hex_byte_upper(static_cast<uint8_t>(b), upper + 3);
        core::write_hex_byte(static_cast<uint8_t>(b), lower + 3);
        const char single[] = {static_cast<char>(b)};
        int32_t id = vocab.find(std::string_view(upper, 6));
        if (id == kNoToken) id = vocab.find(std::string_view(lower, 6));
        if (id == kNoToken) id = vocab.find(std::string_view(single, 1));
        table[b] = id != kNoToken ? id : unknown;
    }
    return table;
}

} // namespace

core::Result<Tokenizer> Tokenizer::from_gguf(const gguf::GgufFile& file) {
    Tokenizer tok;
    if (file.find(kModelKey) == nullptr || file.find(kTokensKey) == nullptr) {
        return core::not_found("tokenizer: the file has no vocabulary (" + str(kModelKey) +
                               " and " + str(kTokensKey) + " are required)");
    }
    EDGEAI_ASSIGN_OR_RETURN(std::string_view model, in_tokenizer(file.get_string(kModelKey)));
    if (model == "llama") {
        tok.model_ = TokenizerModel::kSentencePiece;
    } else if (model == "gpt2") {
        tok.model_ = TokenizerModel::kByteLevelBpe;
    } else {
        return core::Status(core::StatusCode::kUnimplemented,
                            "tokenizer: " + str(kModelKey) + " is '" + str(model) +
                                "'; supported are 'llama' (SentencePiece) and 'gpt2' (byte-level "
                                "BPE)");
    }
    const bool spm = tok.model_ == TokenizerModel::kSentencePiece;

    Vocab& vocab = tok.vocab_;
    EDGEAI_ASSIGN_OR_RETURN(vocab.text, in_tokenizer(file.get_string_array(kTokensKey)));
    const size_t n = vocab.text.size();
    if (n == 0) return core::data_loss("tokenizer: " + str(kTokensKey) + " is empty");
    if (n > static_cast<size_t>(INT32_MAX)) {
        return core::data_loss("tokenizer: " + str(kTokensKey) + " has " + std::to_string(n) +
                               " entries, more than 32-bit token ids can number");
    }
    const auto n_tokens = static_cast<int32_t>(n);
    EDGEAI_ASSIGN_OR_RETURN(vocab.score, read_scores(file, n));

    if (int32_t first = kNoToken; !vocab.index(&first)) {
        // The duplicate is the first later id with the same text.
        int32_t id = first + 1;
        while (vocab.text[static_cast<size_t>(id)] != vocab.text[static_cast<size_t>(first)])
            ++id;
        return core::data_loss("tokenizer: " + str(kTokensKey) + " has '" +
                               str(vocab.text[static_cast<size_t>(first)]) + "' twice, at ids " +
                               std::to_string(first) + " and " + std::to_string(id));
    }

    // Special ids: llama.cpp's defaults for SentencePiece (Llama's <unk> <s> </s>).
    if (spm && n_tokens >= 3) {
        tok.unk_ = 0;
        tok.bos_ = 1;
        tok.eos_ = 2;
    }
    EDGEAI_TRY(read_id(file, kBosKey, n_tokens, &tok.bos_));
    EDGEAI_TRY(read_id(file, kEosKey, n_tokens, &tok.eos_));
    EDGEAI_TRY(read_id(file, "tokenizer.ggml.unknown_token_id", n_tokens, &tok.unk_));
    EDGEAI_TRY(read_id(file, "tokenizer.ggml.padding_token_id", n_tokens, &tok.pad_));
    EDGEAI_TRY(read_id(file, "tokenizer.ggml.eot_token_id", n_tokens, &tok.eot_));
    EDGEAI_TRY(read_id(file, "tokenizer.ggml.eom_token_id", n_tokens, &tok.eom_));

    if (file.find(kTypesKey) != nullptr) {
        EDGEAI_ASSIGN_OR_RETURN(vocab.type, read_types(file, n));
    } else {
        vocab.type =
            inferred_types(vocab, tok.model_, {tok.bos_, tok.eos_, tok.eot_, tok.eom_}, tok.unk_);
    }
    for (size_t i = 0; i < n; ++i) {
        if (vocab.type[i] == TokenType::kByte && !byte_token_value(vocab.text[i])) {
            return core::data_loss("tokenizer: " + str(kTokensKey) + "[" + std::to_string(i) +
                                   "] is '" + str(vocab.text[i]) + "' but " + str(kTypesKey) +
                                   " says byte (6), and byte tokens are spelled <0xXX>");
        }
    }

    PreTokenizerInfo pre;
    if (!spm && file.find(kPreKey) != nullptr) {
        EDGEAI_ASSIGN_OR_RETURN(std::string_view name, in_tokenizer(file.get_string(kPreKey)));
        // Old conversions say "default" or nothing; llama.cpp then runs a regex
        // of its own. GPT-2's is the documented stand-in here.
        if (!name.empty() && name != "default") {
            EDGEAI_ASSIGN_OR_RETURN(pre, pre_tokenizer_from_name(name));
        }
    }

    tok.add_bos_ = spm || pre.add_bos_default;
    tok.add_space_prefix_ = spm;
    EDGEAI_TRY(read_flag(file, kAddBosKey, &tok.add_bos_));
    EDGEAI_TRY(read_flag(file, kAddEosKey, &tok.add_eos_));
    bool space_prefix = tok.add_space_prefix_;
    EDGEAI_TRY(read_flag(file, kAddSpacePrefixKey, &space_prefix));
    tok.add_space_prefix_ = spm && space_prefix; // byte-level BPE spells spaces itself
    if (tok.add_bos_ && tok.bos_ == kNoToken) {
        return core::data_loss("tokenizer: " + str(kAddBosKey) + " is true, but " + str(kBosKey) +
                               " is not set");
    }
    if (tok.add_eos_ && tok.eos_ == kNoToken) {
        return core::data_loss("tokenizer: " + str(kAddEosKey) + " is true, but " + str(kEosKey) +
                               " is not set");
    }

    // llama.cpp's rules by token text: which tokens end generation, and
    // texts that are control tokens whatever their type says.
    TextRuleResult rules = apply_text_rules(vocab, tok.eos_, tok.eot_, tok.eom_);
    tok.eot_ = rules.eot;
    tok.eom_ = rules.eom;
    tok.end_of_generation_ = std::move(rules.end_of_generation);

    if (spm) {
        tok.spm_byte_tokens_ = spm_byte_tokens(vocab, tok.unk_);
    } else {
        if (file.find(kMergesKey) == nullptr) {
            return core::data_loss("tokenizer: " + str(kModelKey) +
                                   " is 'gpt2' (byte-level BPE) but the file has no " +
                                   str(kMergesKey));
        }
        EDGEAI_ASSIGN_OR_RETURN(std::vector<std::string_view> merges,
                                in_tokenizer(file.get_string_array(kMergesKey)));
        EDGEAI_ASSIGN_OR_RETURN(tok.bpe_, Bpe::build(vocab, merges, pre, tok.unk_));
    }
    tok.specials_.build(vocab);
    return tok;
}

} // namespace edgeai::engine::tokenizer
