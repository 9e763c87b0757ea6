#include "engine/grammar/matcher.h"

#include <algorithm>
#include <cstring>

namespace edgeai::engine::grammar {

core::Result<Matcher> Matcher::create(std::shared_ptr<const Grammar> grammar,
                                      MatcherLimits limits) {
    if (grammar == nullptr) return core::internal_error("grammar matcher without a grammar");
    Matcher m(std::move(grammar), limits);
    if (m.state_ == kFailed) return m.status_;
    return m;
}

Matcher::Matcher(std::shared_ptr<const Grammar> grammar, MatcherLimits limits)
    : grammar_(std::move(grammar)), limits_(limits), n_classes_(grammar_->n_classes()) {
    reset_tables();
    bool accepting = false;
    found_.clear();
    ++stamp_;
    bool ok = true;
    for (uint32_t start : grammar_->alternatives[grammar_->root])
        ok = ok && closure(node(start, 0), accepting);
    state_ = ok ? intern_state(accepting) : kFailed;
}

void Matcher::reset_tables() {
    nodes_.assign(1, Node{UINT32_MAX, 0});
    node_ids_.clear();
    states_.assign(1, State{0, 0, false});
    leaves_.clear();
    state_ids_.clear();
    state_ids_.emplace(std::string(1, '\0'), kDead);
    trans_.assign(n_classes_, static_cast<int32_t>(kDead));
    seen_.assign(1, 0);
    stamp_ = 0;
}

uint32_t Matcher::node(uint32_t pos, uint32_t parent) {
    const uint64_t key = (uint64_t{pos} << 32) | parent;
    auto [it, fresh] = node_ids_.emplace(key, static_cast<uint32_t>(nodes_.size()));
    if (fresh) {
        nodes_.push_back({pos, parent});
        seen_.push_back(0);
    }
    return it->second;
}

// Every stack reachable from `start` without reading: calls expand into their
// rule's alternatives, finished alternatives return to the node below.
// Stacks whose top is a byte set go to found_; reaching the empty stack means
// the input so far is complete.
bool Matcher::closure(uint32_t start, bool& accepting) {
    const Grammar& g = *grammar_;
    work_.assign(1, start);
    size_t visited = 0;
    while (!work_.empty()) {
        const uint32_t id = work_.back();
        work_.pop_back();
        if (seen_[id] == stamp_) continue;
        seen_[id] = stamp_;
        if (++visited > limits_.max_closure_work) {
            fail("grammar: more than " + std::to_string(limits_.max_closure_work) +
                 " parser stacks for one byte; simplify the grammar");
            return false;
        }
        if (id == 0) {
            accepting = true;
            continue;
        }
        const Node n = nodes_[id];
        const Element e = g.code[n.pos];
        if (e.op == Op::kEnd) {
            work_.push_back(n.parent);
        } else if (e.op == Op::kBytes) {
            found_.push_back(id);
        } else {
            // A call in tail position returns straight to the caller's
            // caller, so right recursion (x ::= y x) keeps stacks flat.
            const uint32_t ret =
                g.code[n.pos + 1].op == Op::kEnd ? n.parent : node(n.pos + 1, n.parent);
            for (uint32_t alt : g.alternatives[e.arg])
                work_.push_back(node(alt, ret));
        }
    }
    return true;
}

uint32_t Matcher::intern_state(bool accepting) {
    std::sort(found_.begin(), found_.end());
    found_.erase(std::unique(found_.begin(), found_.end()), found_.end());
    if (found_.size() > limits_.max_stacks)
        return fail("grammar: more than " + std::to_string(limits_.max_stacks) +
                    " ways to parse the output at once; the grammar is too ambiguous");
    key_.assign(1, accepting ? '\1' : '\0');
    key_.append(reinterpret_cast<const char*>(found_.data()), found_.size() * sizeof(uint32_t));
    auto [it, fresh] = state_ids_.emplace(key_, static_cast<uint32_t>(states_.size()));
    if (!fresh) return it->second;
    const auto begin = static_cast<uint32_t>(leaves_.size());
    leaves_.insert(leaves_.end(), found_.begin(), found_.end());
    states_.push_back({begin, static_cast<uint32_t>(leaves_.size()), accepting});
    trans_.resize(trans_.size() + n_classes_, -1);
    return it->second;
}

uint32_t Matcher::compute(uint32_t from, uint8_t byte) {
    if (from == kFailed) return kFailed;
    const Grammar& g = *grammar_;
    found_.clear();
    ++stamp_;
    bool accepting = false;
    const State s = states_[from];
    for (uint32_t i = s.begin; i < s.end; ++i) {
        const Node n = nodes_[leaves_[i]];
        if (!g.sets[g.code[n.pos].arg].has(byte)) continue;
        if (!closure(node(n.pos + 1, n.parent), accepting)) return kFailed;
    }
    const uint32_t to = found_.empty() && !accepting ? kDead : intern_state(accepting);
    if (to == kFailed) return kFailed;
    trans_[size_t{from} * n_classes_ + g.byte_class[byte]] = static_cast<int32_t>(to);
    return to;
}

uint32_t Matcher::fail(std::string message) {
    if (status_.ok()) status_ = core::resource_exhausted(std::move(message));
    return kFailed;
}

core::Result<bool> Matcher::advance(std::string_view bytes) {
    uint32_t s = state_;
    for (char c : bytes) {
        s = next(s, static_cast<uint8_t>(c));
        if (s == kFailed) return status_;
        if (s == kDead) return false;
    }
    state_ = s;
    return true;
}

core::Status Matcher::compact() {
    if (nodes_.size() <= limits_.max_cached_nodes && states_.size() <= limits_.max_cached_states)
        return {};
    // The current state's stacks, as element positions from the top down.
    std::vector<std::vector<uint32_t>> stacks;
    const State cur = states_[state_];
    for (uint32_t i = cur.begin; i < cur.end; ++i) {
        std::vector<uint32_t> positions;
        for (uint32_t id = leaves_[i]; id != 0; id = nodes_[id].parent)
            positions.push_back(nodes_[id].pos);
        stacks.push_back(std::move(positions));
    }
    reset_tables();
    found_.clear();
    for (const auto& positions : stacks) {
        uint32_t id = 0;
        for (auto it = positions.rbegin(); it != positions.rend(); ++it)
            id = node(*it, id);
        found_.push_back(id);
    }
    state_ = intern_state(cur.accepting);
    if (state_ == kFailed) return status_;
    return {};
}

} // namespace edgeai::engine::grammar
