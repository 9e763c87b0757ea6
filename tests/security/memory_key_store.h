// A KeyStore in memory for unit tests: what keys.db does, without SQLite.
#pragma once

#include "security/key_store.h"

#include <map>
#include <string>
#include <vector>

namespace edgeai::security {

class MemoryKeyStore final : public KeyStore {
  public:
    core::Result<std::vector<ApiKey>> load_all() override {
        std::vector<ApiKey> out;
        for (const auto& [id, k] : keys)
            out.push_back(k);
        return out;
    }
    core::Result<uint64_t> generation() override { return generation_; }
    core::Status insert(const ApiKey& key) override {
        if (keys.count(key.id) != 0) return core::invalid_argument("duplicate id");
        keys[key.id] = key;
        locked_ = true;
        ++generation_;
        return {};
    }
    core::Status update(const ApiKey& key) override {
        if (keys.count(key.id) == 0) return core::not_found("no such key");
        keys[key.id] = key;
        ++generation_;
        return {};
    }
    core::Status rotate(const ApiKey& replaced, const ApiKey& successor) override {
        auto it = keys.find(replaced.id);
        if (it == keys.end()) return core::not_found("no such key");
        if (!it->second.replaced_by.empty() || it->second.revoked_ms != 0)
            return core::failed_precondition("rotated or revoked meanwhile");
        if (keys.count(successor.id) != 0) return core::invalid_argument("duplicate id");
        keys[successor.id] = successor;
        it->second = replaced;
        ++generation_;
        return {};
    }
    core::Status remove(std::string_view id) override {
        if (keys.erase(std::string(id)) == 0) return core::not_found("no such key");
        ++generation_;
        return {};
    }
    core::Result<bool> locked() override { return locked_; }
    core::Status unlock() override {
        if (!keys.empty()) return core::failed_precondition("keys remain");
        locked_ = false;
        ++generation_;
        return {};
    }

    std::map<std::string, ApiKey> keys;

  private:
    uint64_t generation_ = 1;
    bool locked_ = false;
};

} // namespace edgeai::security
