// The response cache: a request that exactly repeats an earlier one (the same
// model, messages or input and sampling parameters, after normalising the
// JSON) is answered from memory instead of a backend. Bounded by bytes, least
// recently used first out, each answer kept for a time to live; a store port
// lets the native shell keep entries in SQLite across restarts.
#pragma once

#include "core/clock.h"

#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace edgeai::gateway {

struct CachedAnswer {
    bool stream = false; // body holds SSE events, else one JSON document
    std::string body;    // exactly what the client got
    std::string backend; // who answered when it was stored
    std::string model;   // the model that answered
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
    int64_t stored_unix_ms = 0;
};

class ResponseCacheStore {
  public:
    virtual ~ResponseCacheStore() = default;
    virtual void put(std::string_view key, const CachedAnswer& answer) = 0;
    virtual void erase(std::string_view key) = 0;
    // Every stored entry, oldest first.
    virtual void load(const std::function<void(std::string key, CachedAnswer answer)>& each) = 0;
};

class ResponseCache {
  public:
    ResponseCache(size_t max_bytes, int64_t ttl_ms, const core::Clock& clock,
                  ResponseCacheStore* store = nullptr);

    // The answer for `key`, or null (expired entries are dropped here). The
    // pointer is valid until the next insert.
    const CachedAnswer* find(std::string_view key);
    // Keeps `answer` unless it alone is larger than an eighth of the budget
    // (one huge answer must not empty the cache).
    void insert(std::string key, CachedAnswer answer);

    // Loads what the store kept, skipping expired entries.
    void load_from_store();

    size_t entries() const { return lru_.size(); }
    size_t bytes() const { return bytes_; }
    size_t max_entry_bytes() const { return max_bytes_ / 8; }

  private:
    struct Node {
        std::string key;
        CachedAnswer answer;
        size_t bytes = 0;
    };
    void erase(std::list<Node>::iterator it, bool from_store);
    bool expired(const CachedAnswer& answer) const;

    size_t max_bytes_;
    int64_t ttl_ms_;
    const core::Clock& clock_;
    ResponseCacheStore* store_;
    std::list<Node> lru_; // most recently used first
    std::unordered_map<std::string_view, std::list<Node>::iterator> index_;
    size_t bytes_ = 0;
};

// The normalised form of a request body that keys the cache: the endpoint,
// whether it streams, and the JSON with object members sorted and the fields
// that do not change the answer (stream, user, metadata, store) left out.
// nullopt when the body is not JSON.
std::optional<std::string> cache_key(std::string_view endpoint, bool stream, std::string_view body);

} // namespace edgeai::gateway
