// The compiled grammars of recent request shapes, so a client that sends the
// same schema or GBNF on every request compiles it once. Least recently used
// goes first. Single-threaded: its owner (the local backend) uses it from
// the loop thread only.
#pragma once

#include "engine/grammar/grammar.h"

#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

namespace edgeai::engine::grammar {

class GrammarCache {
  public:
    explicit GrammarCache(size_t capacity = 32) : capacity_(capacity) {}

    // nullptr when `key` is not cached.
    std::shared_ptr<const Grammar> find(const std::string& key);
    void put(const std::string& key, std::shared_ptr<const Grammar> grammar);
    size_t size() const { return entries_.size(); }

  private:
    using Entry = std::pair<std::string, std::shared_ptr<const Grammar>>;
    size_t capacity_;
    std::list<Entry> entries_; // most recent first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

} // namespace edgeai::engine::grammar
