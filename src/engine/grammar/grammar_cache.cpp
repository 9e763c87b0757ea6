#include "engine/grammar/grammar_cache.h"

namespace edgeai::engine::grammar {

std::shared_ptr<const Grammar> GrammarCache::find(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return it->second->second;
}

void GrammarCache::put(const std::string& key, std::shared_ptr<const Grammar> grammar) {
    if (capacity_ == 0) return;
    auto it = index_.find(key);
    if (it != index_.end()) {
        it->second->second = std::move(grammar);
        entries_.splice(entries_.begin(), entries_, it->second);
        return;
    }
    entries_.emplace_front(key, std::move(grammar));
    index_.emplace(key, entries_.begin());
    if (entries_.size() > capacity_) {
        index_.erase(entries_.back().first);
        entries_.pop_back();
    }
}

} // namespace edgeai::engine::grammar
