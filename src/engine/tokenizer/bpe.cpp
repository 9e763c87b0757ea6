#include "engine/tokenizer/bpe.h"

#include "core/hex.h"

#include "engine/tokenizer/byte_level.h"

#include <cstdint>
#include <queue>
#include <string>

namespace edgeai::engine::tokenizer {

namespace {

constexpr size_t kNone = SIZE_MAX;

// For error messages: at most 40 bytes, control characters escaped.
std::string quoted(std::string_view s) {
    std::string out = "'";
    for (size_t i = 0; i < s.size() && i < 40; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) {
            char escape[4] = {'\\', 'x'};
            core::write_hex_byte(c, escape + 2);
            out.append(escape, sizeof escape);
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > 40) out += "...";
    return out + "'";
}

struct Symbol {
    int32_t token; // kNoToken: a byte whose character is not in the vocabulary
    bool alive;
    size_t prev;
    size_t next;
};

struct Bigram {
    size_t left;
    size_t right;
    int32_t left_token;
    int32_t right_token;
    int32_t rank;
    int32_t result;
};

// std::priority_queue keeps the largest on top: the lowest rank, then the leftmost.
struct LowerPriority {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

} // namespace

core::Result<Bpe> Bpe::build(const Vocab& vocab, const std::vector<std::string_view>& merges,
                             PreTokenizerInfo pre, int32_t unknown) {
    Bpe bpe;
    bpe.pre_ = pre;
    bpe.unknown_ = unknown;
    std::string text;
    for (int b = 0; b < 256; ++b) {
        text.clear();
        append_utf8(byte_to_code_point(static_cast<uint8_t>(b)), text);
        bpe.byte_tokens_[static_cast<size_t>(b)] = vocab.find(text);
    }

    if (merges.size() > static_cast<size_t>(INT32_MAX)) {
        return core::data_loss("tokenizer: tokenizer.ggml.merges has " +
                               std::to_string(merges.size()) +
                               " entries, more than token ids can rank");
    }
    bpe.merges_.reserve(merges.size());
    bpe.left_.reserve(merges.size());
    bpe.right_.reserve(merges.size());
    bpe.result_.reserve(merges.size());
    for (size_t i = 0; i < merges.size(); ++i) {
        std::string_view merge = merges[i];
        auto where = [&] { return "tokenizer: tokenizer.ggml.merges[" + std::to_string(i) + "] "; };
        // As llama.cpp: the separator is the first space after the first byte,
        // so a left half may itself be a space.
        size_t space = merge.size() > 1 ? merge.find(' ', 1) : std::string_view::npos;
        if (space == std::string_view::npos) {
            return core::data_loss(where() + "is " + quoted(merge) +
                                   "; a merge is two tokens separated by a space");
        }
        std::string_view left_text = merge.substr(0, space);
        std::string_view right_text = merge.substr(space + 1);
        int32_t left = vocab.find(left_text);
        int32_t right = vocab.find(right_text);
        for (auto [half, id] : {std::pair{left_text, left}, std::pair{right_text, right}}) {
            if (id == kNoToken) {
                return core::data_loss(where() + quoted(merge) + " names " + quoted(half) +
                                       ", which is not in tokenizer.ggml.tokens");
            }
        }
        text.assign(left_text);
        text.append(right_text);
        int32_t result = vocab.find(text);
        if (result == kNoToken) {
            return core::data_loss(where() + quoted(merge) + " makes " + quoted(text) +
                                   ", which is not in tokenizer.ggml.tokens");
        }
        // The first of duplicate merges ranks, as in llama.cpp.
        const auto rank = static_cast<int32_t>(i);
        bpe.left_.push_back(left);
        bpe.right_.push_back(right);
        bpe.result_.push_back(result);
        bpe.merges_.insert(hash_pair(left, right), rank, [&](int32_t e) {
            return bpe.left_[e] == left && bpe.right_[e] == right;
        });
    }
    return bpe;
}

std::optional<Bpe::Merge> Bpe::find(int32_t left, int32_t right) const {
    const int32_t rank = merges_.find(
        hash_pair(left, right), [&](int32_t e) { return left_[e] == left && right_[e] == right; });
    if (rank < 0) return std::nullopt;
    return Merge{rank, result_[rank]};
}

void Bpe::encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out) const {
    std::vector<std::string_view> words;
    split_words(text, pre_.rules, words);
    for (std::string_view word : words)
        encode_word(vocab, word, out);
}

void Bpe::encode_word(const Vocab& vocab, std::string_view word, std::vector<int32_t>& out) const {
    if (pre_.ignore_merges) {
        // Llama 3 takes a word that is a whole token as is, whatever the merges say.
        std::string encoded;
        for (char c : word)
            append_utf8(byte_to_code_point(static_cast<uint8_t>(c)), encoded);
        int32_t id = vocab.find(encoded);
        if (id != kNoToken && vocab.type[id] != TokenType::kControl) {
            out.push_back(id);
            return;
        }
    }

    std::vector<Symbol> symbols(word.size());
    for (size_t i = 0; i < word.size(); ++i) {
        symbols[i] = {byte_tokens_[static_cast<uint8_t>(word[i])], true, i == 0 ? kNone : i - 1,
                      i + 1 < word.size() ? i + 1 : kNone};
    }
    std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue;
    auto try_add = [&](size_t left, size_t right) {
        if (left == kNone || right == kNone) return;
        int32_t a = symbols[left].token;
        int32_t b = symbols[right].token;
        if (a == kNoToken || b == kNoToken) return;
        if (auto merge = find(a, b)) queue.push({left, right, a, b, merge->rank, merge->result});
    };
    for (size_t i = 1; i < symbols.size(); ++i)
        try_add(i - 1, i);

    while (!queue.empty()) {
        Bigram bigram = queue.top();
        queue.pop();
        Symbol& left = symbols[bigram.left];
        Symbol& right = symbols[bigram.right];
        // Stale: a side was merged away or changed since the pair was queued.
        if (!left.alive || !right.alive || left.next != bigram.right ||
            left.token != bigram.left_token || right.token != bigram.right_token)
            continue;
        left.token = bigram.result;
        right.alive = false;
        left.next = right.next;
        if (right.next != kNone) symbols[right.next].prev = bigram.left;
        try_add(left.prev, bigram.left);
        try_add(bigram.left, left.next);
    }

    for (size_t i = symbols.empty() ? kNone : 0; i != kNone; i = symbols[i].next) {
        int32_t id = symbols[i].token;
        if (id == kNoToken) id = unknown_; // a vocabulary without this byte's character
        if (id != kNoToken) out.push_back(id);
    }
}

} // namespace edgeai::engine::tokenizer
