#include "gateway/response_cache.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <algorithm>
#include <vector>

namespace edgeai::gateway {
namespace {

using codec::JsonValue;

void write_canonical(codec::JsonWriter& w, JsonValue v, bool top_level) {
    switch (v.type()) {
    case JsonValue::Type::kMissing:
    case JsonValue::Type::kNull:
        w.null();
        return;
    case JsonValue::Type::kBool:
        w.value(v.as_bool());
        return;
    case JsonValue::Type::kNumber:
        // 1 and 1.0 ask for the same thing.
        if (v.is_integer())
            w.value(v.as_int64());
        else
            w.value(v.as_double());
        return;
    case JsonValue::Type::kString:
        w.value(v.as_string());
        return;
    case JsonValue::Type::kArray:
        w.begin_array();
        for (size_t i = 0; i < v.size(); ++i)
            write_canonical(w, v.at(i), false);
        w.end_array();
        return;
    case JsonValue::Type::kObject: {
        std::vector<size_t> order(v.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&](size_t a, size_t b) { return v.member_name(a) < v.member_name(b); });
        w.begin_object();
        for (size_t i : order) {
            std::string_view name = v.member_name(i);
            if (top_level &&
                (name == "stream" || name == "user" || name == "metadata" || name == "store"))
                continue;
            w.key(name);
            write_canonical(w, v.member_value(i), false);
        }
        w.end_object();
        return;
    }
    }
}

} // namespace

std::optional<std::string> cache_key(std::string_view endpoint, bool stream,
                                     std::string_view body) {
    auto doc = codec::JsonDocument::parse(body);
    if (!doc.ok() || !doc->root().is_object()) return std::nullopt;
    std::string out(endpoint);
    out += stream ? "|stream|" : "|json|";
    codec::JsonWriter w(&out);
    write_canonical(w, doc->root(), true);
    return out;
}

ResponseCache::ResponseCache(size_t max_bytes, int64_t ttl_ms, const core::Clock& clock,
                             ResponseCacheStore* store)
    : max_bytes_(max_bytes), ttl_ms_(ttl_ms), clock_(clock), store_(store) {}

bool ResponseCache::expired(const CachedAnswer& answer) const {
    return clock_.unix_ms() - answer.stored_unix_ms >= ttl_ms_;
}

const CachedAnswer* ResponseCache::find(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    if (expired(it->second->answer)) {
        erase(it->second, true);
        return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return &lru_.front().answer;
}

void ResponseCache::insert(std::string key, CachedAnswer answer) {
    const size_t size = key.size() + answer.body.size() + answer.backend.size() +
                        answer.model.size() + sizeof(Node) + 64;
    if (size > max_entry_bytes()) return;
    if (auto it = index_.find(key); it != index_.end()) erase(it->second, false);
    while (bytes_ + size > max_bytes_ && !lru_.empty())
        erase(std::prev(lru_.end()), true);
    if (store_ != nullptr) store_->put(key, answer);
    lru_.push_front(Node{std::move(key), std::move(answer), size});
    index_.emplace(lru_.front().key, lru_.begin());
    bytes_ += size;
}

void ResponseCache::erase(std::list<Node>::iterator it, bool from_store) {
    if (from_store && store_ != nullptr) store_->erase(it->key);
    bytes_ -= it->bytes;
    index_.erase(it->key);
    lru_.erase(it);
}

void ResponseCache::load_from_store() {
    if (store_ == nullptr) return;
    ResponseCacheStore* store = store_;
    store_ = nullptr; // what comes from the store need not go back to it
    std::vector<std::string> stale;
    store->load([&](std::string key, CachedAnswer answer) {
        if (expired(answer)) {
            stale.push_back(std::move(key));
            return;
        }
        insert(std::move(key), std::move(answer));
    });
    store_ = store;
    for (const std::string& key : stale)
        store_->erase(key);
}

} // namespace edgeai::gateway
