#include "engine/tokenizer/text_rules.h"

#include <algorithm>
#include <string_view>

namespace edgeai::engine::tokenizer {

namespace {

// The lists of the llama.cpp release node-llama-cpp 3.22.1 ships (the one
// tests compare with). The EOT is the first text of kEotTexts present;
// llama.cpp takes the first it meets in its hash map, which only differs for
// a vocabulary with two of them and no eot_token_id.
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>",      "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
    "<|end_of_text|>", "<EOT>",      "_<EOT>",  "[EOT]",         "<end_of_utterance>",
};
constexpr std::string_view kEomText = "<|eom_id|>";
constexpr std::string_view kEogTexts[] = {
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
};
// Fill-in-the-middle texts: control tokens; padding, repository and file
// separators also end generation. (llama.cpp takes the first of each kind it
// meets in a hash map's order; a vocabulary with two spellings of one kind is
// ambiguous there, and both are taken here.)
constexpr std::string_view kFimTexts[] = {
    "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<PRE>", "<|code_prefix|>", "<|prefix|>",
    "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<SUF>", "<|code_suffix|>", "<|suffix|>",
    "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<MID>", "<|code_middle|>", "<|middle|>",
};
constexpr std::string_view kFimEndTexts[] = {
    "<|fim_pad|>",   "<fim-pad>",  "<fim_pad>", "<PAD>",      "[PAD]",        "<|fim_repo|>",
    "<|repo_name|>", "<fim-repo>", "<REPO>",    "<reponame>", "<|file_sep|>",
};
// gpt-oss's channel markers, which llama.cpp always renders.
constexpr std::string_view kRenderedTexts[] = {"<|channel|>", "<|message|>", "<|start|>",
                                               "<|constrain|>"};

void make_control(Vocab& vocab, int32_t id) {
    TokenType& type = vocab.type[static_cast<size_t>(id)];
    // llama.cpp adds its control flag; an unknown token already parses the same way.
    if (type != TokenType::kControl && type != TokenType::kUnknown) type = TokenType::kControl;
}

bool contains(const std::vector<int32_t>& ids, int32_t id) {
    return id != kNoToken && std::find(ids.begin(), ids.end(), id) != ids.end();
}

} // namespace

TextRuleResult apply_text_rules(Vocab& vocab, int32_t eos, int32_t eot, int32_t eom) {
    TextRuleResult r;
    r.eot = eot;
    r.eom = eom;
    std::vector<int32_t>& eog = r.end_of_generation;
    for (std::string_view text : kEotTexts) {
        const int32_t id = vocab.find(text);
        if (id == kNoToken) continue;
        if (r.eot == kNoToken) r.eot = id;
        make_control(vocab, id);
    }
    if (const int32_t id = vocab.find(kEomText); id != kNoToken) {
        if (r.eom == kNoToken) r.eom = id;
        make_control(vocab, id);
    }
    for (std::string_view text : kFimTexts) {
        if (const int32_t id = vocab.find(text); id != kNoToken) make_control(vocab, id);
    }
    for (std::string_view text : kFimEndTexts) {
        if (const int32_t id = vocab.find(text); id != kNoToken) {
            make_control(vocab, id);
            eog.push_back(id);
        }
    }
    for (std::string_view text : kEogTexts) {
        if (const int32_t id = vocab.find(text); id != kNoToken) {
            make_control(vocab, id);
            eog.push_back(id);
        }
    }
    for (std::string_view text : kRenderedTexts) {
        if (const int32_t id = vocab.find(text); id != kNoToken)
            vocab.type[static_cast<size_t>(id)] = TokenType::kUserDefined;
    }
    for (int32_t id : {eos, r.eot, r.eom}) {
        if (id != kNoToken) eog.push_back(id);
    }

    // Harmony (gpt-oss) and Solar Open end a message with <|end|> but a turn
    // with <|return|> or <|call|>/<|calls|>: there <|end|> is text, not an end.
    auto in_eog = [&](std::string_view text) { return contains(eog, vocab.find(text)); };
    const int32_t end = vocab.find("<|end|>");
    const bool has_call = in_eog("<|call|>") || in_eog("<|calls|>");
    if (contains(eog, end) &&
        ((in_eog("<|return|>") && has_call) || (has_call && in_eog("<|flush|>")))) {
        eog.erase(std::remove(eog.begin(), eog.end(), end), eog.end());
        vocab.type[static_cast<size_t>(end)] = TokenType::kUserDefined;
    }
    // Gemma 4 spells </s> as text.
    const int32_t s_end = vocab.find("</s>");
    if (contains(eog, s_end) && in_eog("<|tool_response>")) {
        eog.erase(std::remove(eog.begin(), eog.end(), s_end), eog.end());
        vocab.type[static_cast<size_t>(s_end)] = TokenType::kNormal;
    }

    std::sort(eog.begin(), eog.end());
    eog.erase(std::unique(eog.begin(), eog.end()), eog.end());
    return r;
}

} // namespace edgeai::engine::tokenizer
