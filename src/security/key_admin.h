// Managing keys: create, revoke, rotate, find. The CLI (`edgeai keys`) and
// the admin API (/v1/keys) both go through these, so a key made either way is
// checked by the same rules.
#pragma once

#include "core/result.h"
#include "security/api_key.h"
#include "security/key_store.h"

#include <string>
#include <string_view>
#include <vector>

namespace edgeai::security {

struct KeySpec {
    std::string name;
    uint32_t scopes = kDefaultScopes;
    std::vector<std::string> models;    // globs; empty: any
    std::vector<std::string> mcp_tools; // MCP tool names; empty: every tool
    KeyLimits limits;
    KeyBudget budget;
    int64_t expires_ms = 0; // 0: never
    bool signing = false;   // may sign requests (x-edgeai-signature)
};

// The admin API's body: {"name": "kiosk", "scopes": ["chat"] or "chat,models",
// "models": ["qwen*"], "limits": {"requests_per_minute": 30,
// "tokens_per_minute": .., "concurrent_requests": ..}, "budget":
// {"tokens_per_day": .., "tokens_per_month": .., "cost_per_day": ..,
// "cost_per_month": ..}, "expires_in": "30d" | "expires_at": unix seconds, "signing": true}.
// Unknown fields are refused, naming the field.
core::Result<KeySpec> key_spec_from_json(std::string_view body, int64_t now_ms);

struct NewKey {
    ApiKey record;
    std::string key; // the secret, shown once
};

// `random` must hold kKeyRandomBytes bytes from a CSPRNG; `server_secret`
// seals the signing key of a key made with `signing`.
core::Result<NewKey> create_key(KeyStore& store, const KeySpec& spec, std::string_view random,
                                std::string_view server_secret, int64_t now_ms);
// Revoked at once; revoking a revoked key is not an error (it stays as it was).
core::Result<ApiKey> revoke_key(KeyStore& store, std::string_view id_or_name, int64_t now_ms);
// A new key with the same name and settings; the old one keeps working for
// `grace_ms` (0: revoked now) so devices can be moved over.
core::Result<NewKey> rotate_key(KeyStore& store, std::string_view id_or_name,
                                std::string_view random, std::string_view server_secret,
                                int64_t now_ms, int64_t grace_ms);
core::Result<ApiKey> find_key(KeyStore& store, std::string_view id_or_name);
// Gone from the store (a name whose keys were all revoked or replaced names
// its newest); authentication stays on (KeyStore::locked).
core::Result<ApiKey> delete_key(KeyStore& store, std::string_view id_or_name);

// "active", "revoked", "expired" or "rotated" (replaced, within its grace).
std::string_view key_state(const ApiKey& key, int64_t now_ms);

} // namespace edgeai::security
