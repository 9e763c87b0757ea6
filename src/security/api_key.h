// API keys: what a caller presents, what the gateway keeps of it, and what it
// allows. A key reads `eai_<id>_<secret>`: the id (10 base32 characters) is
// public and indexes the record, the secret (52 base32 characters, 260 bits)
// never leaves the caller; the gateway keeps only the SHA-256 of the whole
// key. A slow password hash buys nothing here: the secret is random, not
// chosen by a person, so the hash cannot be reversed by guessing.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::security {

// What a key may call. A route needs one scope; `admin` also grants the rest.
enum Scope : uint32_t {
    kScopeChat = 1u << 0,        // /v1/chat/completions, /v1/messages
    kScopeCompletions = 1u << 1, // /v1/completions
    kScopeEmbeddings = 1u << 2,  // /v1/embeddings
    kScopeModels = 1u << 3,      // /v1/models
    kScopeJobs = 1u << 4,        // /v1/jobs, Prefer: respond-async
    kScopeBatches = 1u << 5,     // /v1/files, /v1/batches
    kScopeAdmin = 1u << 6,       // /v1/keys, /v1/usage, /metrics, everything
    kScopeMcp = 1u << 7,         // /mcp, `edgeai mcp` (each tool also needs its route's scope)
    kScopeMetrics = 1u << 8,     // GET /metrics (a Prometheus scraper's key)
};
constexpr uint32_t kAllScopes = (1u << 9) - 1;
// A key made without --scopes: everything but admin.
// A key made without --scopes may call the API, not manage the gateway nor
// read its metrics.
constexpr uint32_t kDefaultScopes = kAllScopes & ~uint32_t{kScopeAdmin | kScopeMetrics};

// "chat,models" (commas or spaces) -> mask; "all" is every scope but admin.
// InvalidArgument naming the known scopes otherwise.
core::Result<uint32_t> parse_scopes(std::string_view text);
// "chat,models" for a mask, in the enum's order.
std::string scope_names(uint32_t scopes);

struct KeyLimits {
    int64_t requests_per_minute = 0; // 0: unlimited
    int64_t tokens_per_minute = 0;
    int64_t concurrent_requests = 0;
};

// Spending caps over UTC calendar days and months; 0: none.
struct KeyBudget {
    int64_t tokens_per_day = 0;
    int64_t tokens_per_month = 0;
    double cost_per_day = 0;
    double cost_per_month = 0;

    bool any() const {
        return tokens_per_day > 0 || tokens_per_month > 0 || cost_per_day > 0 || cost_per_month > 0;
    }
};

struct ApiKey {
    std::string id;   // the public part, "k3f9..." (10 characters)
    std::string name; // unique, chosen by the operator
    std::string hash; // hex SHA-256 of the whole key
    uint32_t scopes = kDefaultScopes;
    std::vector<std::string> models;    // globs; empty: any model
    std::vector<std::string> mcp_tools; // MCP tools it may call; empty: every tool
    KeyLimits limits;
    KeyBudget budget;
    int64_t created_ms = 0;
    int64_t expires_ms = 0; // 0: never
    int64_t revoked_ms = 0; // 0: not revoked
    // Rotation: the key that replaced this one (which stays valid until its
    // expiry, the grace period).
    std::string replaced_by;
    // Keys that may sign requests: their signing key, sealed with the
    // server's secret (request_signature.h). Empty: bearer use only.
    std::string sealed_signing_key;

    bool has_scope(uint32_t scope) const { return (scopes & (scope | kScopeAdmin)) != 0; }
    bool allows_model(std::string_view model) const;
    bool allows_tool(std::string_view tool) const;
};

constexpr size_t kKeyIdLength = 10;
constexpr size_t kKeySecretLength = 52;
// Random bytes new_key_material() needs: 50 bits of id, 260 of secret.
constexpr size_t kKeyRandomBytes = 7 + 33;

struct KeyMaterial {
    std::string id;
    std::string key; // the whole key, shown to the operator once
    std::string hash;
};

// Makes a key from `random` (kKeyRandomBytes bytes from a CSPRNG).
KeyMaterial new_key_material(std::string_view random);

// The id of a presented key, when it has our shape; nullopt otherwise (a
// key of another gateway, garbage). Checks only the shape.
std::optional<std::string_view> presented_key_id(std::string_view key);

// The credentials of `Authorization: Bearer <token>` (scheme case-insensitive,
// spaces trimmed); empty for any other header value.
std::string_view bearer_token(std::string_view authorization);

// hex SHA-256 of a presented key, as stored.
std::string hash_key(std::string_view key);
// Whether `presented` hashes to `stored_hash` (hash_key's hex), compared in
// constant time and without a heap copy: this runs on every keyed request.
bool key_hash_matches(std::string_view presented, std::string_view stored_hash);

// Letters, digits, '-', '_' and '.', 1 to 64 characters: names appear in
// logs, CLI output and route conditions.
bool is_valid_key_name(std::string_view name);

// The JSON the admin API and `edgeai keys show --json` give for a key: every
// field but the hash.
std::string key_json(const ApiKey& key);

} // namespace edgeai::security
