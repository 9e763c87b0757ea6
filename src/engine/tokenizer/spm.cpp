#include "engine/tokenizer/spm.h"

#include "core/utf8.h"

#include <cstdint>
#include <queue>

namespace edgeai::engine::tokenizer {

namespace {

constexpr size_t kNone = SIZE_MAX;

struct Symbol {
    size_t begin;
    size_t length; // 0 once merged into its left neighbour
    size_t prev;
    size_t next;
};

struct Bigram {
    size_t left;
    size_t right;
    float score;
    size_t length;
};

// std::priority_queue keeps the largest on top: the best score, then the leftmost.
struct LowerPriority {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

class Session {
  public:
    Session(const Vocab& vocab, std::string_view text) : vocab_(vocab), text_(text) {}

    void run(const ByteTokens& byte_tokens, std::vector<int32_t>& out) {
        symbols_.reserve(text_.size());
        for (size_t at = 0; at < text_.size();) {
            uint32_t cp = 0;
            size_t length = core::decode_utf8(text_, at, &cp);
            if (length == 0) length = 1; // a stray byte: its own symbol, spelled as a byte
            size_t index = symbols_.size();
            symbols_.push_back({at, length, index == 0 ? kNone : index - 1, kNone});
            if (index > 0) symbols_[index - 1].next = index;
            at += length;
        }
        for (size_t i = 1; i < symbols_.size(); ++i)
            try_add(i - 1, i);

        while (!queue_.empty()) {
            Bigram bigram = queue_.top();
            queue_.pop();
            Symbol& left = symbols_[bigram.left];
            Symbol& right = symbols_[bigram.right];
            // Stale: one side was merged away or grew since the pair was queued.
            if (left.length == 0 || right.length == 0 ||
                left.length + right.length != bigram.length)
                continue;
            left.length += right.length;
            right.length = 0;
            left.next = right.next;
            if (right.next != kNone) symbols_[right.next].prev = bigram.left;
            try_add(left.prev, bigram.left);
            try_add(bigram.left, left.next);
        }

        for (size_t i = symbols_.empty() ? kNone : 0; i != kNone; i = symbols_[i].next) {
            std::string_view piece = text_.substr(symbols_[i].begin, symbols_[i].length);
            int32_t id = token_for(piece);
            if (id != kNoToken) {
                out.push_back(id);
                continue;
            }
            for (char c : piece) {
                int32_t byte_id = byte_tokens[static_cast<uint8_t>(c)];
                if (byte_id != kNoToken) out.push_back(byte_id);
            }
        }
    }

  private:
    // Any token whose text the pieces spell, whatever its type: SentencePiece
    // itself would never produce a control or unused piece from text, but
    // llama.cpp's tokenizer does, and GGUF files are tokenized as it does.
    int32_t token_for(std::string_view piece) const { return vocab_.find(piece); }

    void try_add(size_t left, size_t right) {
        if (left == kNone || right == kNone) return;
        size_t length = symbols_[left].length + symbols_[right].length;
        int32_t id = token_for(text_.substr(symbols_[left].begin, length));
        if (id == kNoToken) return;
        queue_.push({left, right, vocab_.score[id], length});
    }

    const Vocab& vocab_;
    std::string_view text_;
    std::vector<Symbol> symbols_;
    using Queue = std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority>;
    Queue queue_;
};

} // namespace

void encode_spm(const Vocab& vocab, const ByteTokens& byte_tokens, std::string_view text,
                std::vector<int32_t>& out) {
    Session(vocab, text).run(byte_tokens, out);
}

} // namespace edgeai::engine::tokenizer
