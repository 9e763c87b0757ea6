// Runs a compiled Grammar over bytes, incrementally. The parser state is the
// set of every stack a top-down parser could be in (llama.cpp's approach):
// each stack is the byte set to read next and the return points below it.
// Stacks are hash-consed (a stack is a node: position + the node below), so a
// set of stacks is a sorted list of node ids, and sets are interned too: a
// state is one integer, and a byte moves between states through a table
// filled on first use. The trie walk (token_trie.h) revisits the same few
// states thousands of times per token, so nearly every step is one lookup.
//
// One Matcher per sequence; it can be created at any point of generation (a
// grammar that switches on when a trigger appears starts one then).
//
// Bounds, for hostile grammars: stacks in one state, parser work for one
// byte, and the size of the tables (past which compact() starts them again
// from the current state). A cap hit is an error, not a wrong answer.
#pragma once

#include "core/result.h"
#include "engine/grammar/grammar.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace edgeai::engine::grammar {

struct MatcherLimits {
    size_t max_stacks = 4096;          // stacks alive in one state
    size_t max_closure_work = 1 << 16; // stack nodes visited for one byte
    size_t max_cached_nodes = 1 << 18; // compact() past these
    size_t max_cached_states = 1 << 14;
};

class Matcher {
  public:
    static constexpr uint32_t kDead = 0;
    static constexpr uint32_t kFailed = UINT32_MAX;

    static core::Result<Matcher> create(std::shared_ptr<const Grammar> grammar,
                                        MatcherLimits limits = {});

    uint32_t state() const { return state_; }
    // The bytes so far form a whole sentence of the grammar.
    bool accepting() const { return accepting(state_); }
    // Some byte may still follow.
    bool can_continue() const { return leaf_count(state_) > 0; }

    // Moves over `bytes`: true when they continue the parse; false leaves
    // the state as it was. Fails only when a limit is hit.
    core::Result<bool> advance(std::string_view bytes);

    // The state after `byte` from `from` (kDead when the byte cannot come
    // next; kFailed when a limit was hit, see status()).
    uint32_t next(uint32_t from, uint8_t byte) {
        const int32_t t = trans_[size_t{from} * n_classes_ + grammar_->byte_class[byte]];
        return t >= 0 ? static_cast<uint32_t>(t) : compute(from, byte);
    }
    bool accepting(uint32_t s) const { return states_[s].accepting; }
    const core::Status& status() const { return status_; }

    // Forgets cached states and transitions once they exceed the limits,
    // keeping the current state. Call between steps, never during a walk.
    core::Status compact();

    const Grammar& grammar() const { return *grammar_; }

  private:
    struct Node {
        uint32_t pos;    // next element in grammar.code
        uint32_t parent; // node below; 0 is the empty stack
    };
    struct State {
        uint32_t begin, end; // leaves_[begin, end): stacks whose top is a byte set
        bool accepting;
    };

    explicit Matcher(std::shared_ptr<const Grammar> grammar, MatcherLimits limits);
    void reset_tables();
    uint32_t node(uint32_t pos, uint32_t parent);
    bool closure(uint32_t start, bool& accepting);
    uint32_t intern_state(bool accepting);
    uint32_t compute(uint32_t from, uint8_t byte);
    size_t leaf_count(uint32_t s) const { return states_[s].end - states_[s].begin; }
    uint32_t fail(std::string message);

    std::shared_ptr<const Grammar> grammar_;
    MatcherLimits limits_;
    uint32_t n_classes_;
    uint32_t state_ = kDead;
    core::Status status_;

    std::vector<Node> nodes_;
    std::unordered_map<uint64_t, uint32_t> node_ids_;
    std::vector<State> states_;
    std::vector<uint32_t> leaves_;
    std::unordered_map<std::string, uint32_t> state_ids_;
    std::vector<int32_t> trans_; // states_ x classes; -1 not computed yet

    // Scratch for compute().
    std::vector<uint32_t> found_, work_, seen_;
    uint32_t stamp_ = 0;
    std::string key_;
};

} // namespace edgeai::engine::grammar
