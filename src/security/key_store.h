// The KeyStore port: where API keys are kept (natively keys.db in the data
// dir, shared by the CLI and the running server), and KeyRing, the server's
// in-memory copy, reloaded when the store's generation changes so a key made
// or revoked with the CLI applies within a second without a lookup per
// request touching the disk.
#pragma once

#include "core/result.h"
#include "security/api_key.h"

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace edgeai::security {

class KeyStore {
  public:
    virtual ~KeyStore() = default;
    // Every key, revoked and expired ones included.
    virtual core::Result<std::vector<ApiKey>> load_all() = 0;
    // Changes whenever any key changed, by this process or another.
    virtual core::Result<uint64_t> generation() = 0;
    virtual core::Status insert(const ApiKey& key) = 0;
    // Replaces the key with the same id.
    virtual core::Status update(const ApiKey& key) = 0;
    // A rotation, all or nothing: stores `successor` and `replaced` (the old
    // key, now naming its successor) together, provided the old key is still
    // neither rotated nor revoked in the store; otherwise changes nothing and
    // fails with failed_precondition (another process got there first).
    virtual core::Status rotate(const ApiKey& replaced, const ApiKey& successor) = 0;
    // Deletes the key with this id (not_found when there is none).
    virtual core::Status remove(std::string_view id) = 0;
    // Once a key has been stored, authentication stays on (the lock), even
    // when every key is later revoked or deleted: a gateway must never open
    // up because its last key went. Only unlock() lifts it, and only when no
    // key is left.
    virtual core::Result<bool> locked() = 0;
    virtual core::Status unlock() = 0;
};

// Shared pointers so a request in flight keeps the key it was admitted with
// while a reload swaps the ring.
using KeyPtr = std::shared_ptr<const ApiKey>;

class KeyRing {
  public:
    void replace(std::vector<ApiKey> keys);
    KeyPtr find_id(std::string_view id) const;
    // A key by id, else the current (not revoked, not replaced) key of that
    // name: how the CLI, the admin API and client certificates name keys.
    KeyPtr find(std::string_view id_or_name) const;
    // Like find(), but a name with no current key gives its newest one
    // (revoked or replaced), so the caller can say what became of it.
    KeyPtr find_latest(std::string_view id_or_name) const;
    size_t size() const { return keys_.size(); }
    bool empty() const { return keys_.empty(); }
    const std::vector<KeyPtr>& all() const { return keys_; }

  private:
    std::vector<KeyPtr> keys_;
    std::unordered_map<std::string_view, size_t> by_id_;
};

} // namespace edgeai::security
