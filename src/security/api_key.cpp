#include "security/api_key.h"

#include "codec/json/json_writer.h"
#include "core/config/routing_schema.h"
#include "core/hex.h"
#include "core/http_types.h"
#include "core/sha256.h"

namespace edgeai::security {

namespace {

constexpr std::string_view kKeyPrefix = "eai_";
// RFC 4648's base32 alphabet, lower case: no padding, no look-alikes to
// confuse when a key is read aloud, and 5 bits per character with no bias.
constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";

struct ScopeName {
    Scope scope;
    std::string_view name;
};
constexpr ScopeName kScopeNames[] = {
    {kScopeChat, "chat"},
    {kScopeCompletions, "completions"},
    {kScopeEmbeddings, "embeddings"},
    {kScopeModels, "models"},
    {kScopeJobs, "jobs"},
    {kScopeBatches, "batches"},
    {kScopeMcp, "mcp"},
    {kScopeAdmin, "admin"},
    {kScopeMetrics, "metrics"},
};

bool is_base32(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

// `count` base32 characters from the bits of `bytes`, most significant first.
std::string base32(std::string_view bytes, size_t count) {
    std::string out;
    out.reserve(count);
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : bytes) {
        buffer = (buffer << 8) | static_cast<uint8_t>(c);
        bits += 8;
        while (bits >= 5 && out.size() < count) {
            out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
        buffer &= (1u << bits) - 1;
    }
    return out;
}

} // namespace

core::Result<uint32_t> parse_scopes(std::string_view text) {
    uint32_t mask = 0;
    while (!text.empty()) {
        const size_t end = text.find_first_of(", ");
        const std::string_view word = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (word.empty()) continue;
        if (word == "all") {
            mask |= kDefaultScopes;
            continue;
        }
        bool known = false;
        for (const ScopeName& s : kScopeNames) {
            if (s.name == word) {
                mask |= s.scope;
                known = true;
            }
        }
        if (!known) {
            return core::invalid_argument("unknown scope '" + std::string(word) + "'; scopes are " +
                                          scope_names(kAllScopes) + " (or all)");
        }
    }
    if (mask == 0)
        return core::invalid_argument("no scope given; scopes are " + scope_names(kAllScopes) +
                                      " (or all)");
    return mask;
}

std::string scope_names(uint32_t scopes) {
    std::string out;
    for (const ScopeName& s : kScopeNames) {
        if ((scopes & s.scope) == 0) continue;
        if (!out.empty()) out += ",";
        out += s.name;
    }
    return out;
}

bool ApiKey::allows_model(std::string_view model) const {
    if (models.empty()) return true;
    for (const std::string& pattern : models)
        if (core::glob_match(pattern, model)) return true;
    return false;
}

bool ApiKey::allows_tool(std::string_view tool) const {
    if (mcp_tools.empty()) return true;
    for (const std::string& t : mcp_tools)
        if (t == tool) return true;
    return false;
}

KeyMaterial new_key_material(std::string_view random) {
    KeyMaterial m;
    m.id = base32(random.substr(0, 7), kKeyIdLength);
    m.key = std::string(kKeyPrefix) + m.id + "_" + base32(random.substr(7), kKeySecretLength);
    m.hash = hash_key(m.key);
    return m;
}

std::optional<std::string_view> presented_key_id(std::string_view key) {
    if (key.size() != kKeyPrefix.size() + kKeyIdLength + 1 + kKeySecretLength) return std::nullopt;
    if (key.substr(0, kKeyPrefix.size()) != kKeyPrefix) return std::nullopt;
    const std::string_view id = key.substr(kKeyPrefix.size(), kKeyIdLength);
    if (key[kKeyPrefix.size() + kKeyIdLength] != '_') return std::nullopt;
    for (char c : key.substr(kKeyPrefix.size())) {
        if (!is_base32(c) && c != '_') return std::nullopt;
    }
    for (char c : id) {
        if (!is_base32(c)) return std::nullopt;
    }
    return id;
}

std::string_view bearer_token(std::string_view authorization) {
    authorization = core::trim_spaces(authorization);
    constexpr std::string_view kBearer = "bearer ";
    if (authorization.size() > kBearer.size() &&
        core::iequals(authorization.substr(0, kBearer.size()), kBearer))
        return core::trim_spaces(authorization.substr(kBearer.size()));
    return {};
}

std::string hash_key(std::string_view key) {
    return core::hex_encode(core::sha256(key));
}

bool key_hash_matches(std::string_view presented, std::string_view stored_hash) {
    char hex[64];
    core::write_hex(core::sha256(presented), hex);
    return core::constant_time_equal(std::string_view(hex, sizeof hex), stored_hash);
}

bool is_valid_key_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

std::string key_json(const ApiKey& key) {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", std::string_view(key.id))
        .field("object", "api_key")
        .field("name", std::string_view(key.name));
    w.key("scopes").begin_array();
    for (const ScopeName& s : kScopeNames)
        if ((key.scopes & s.scope) != 0) w.value(s.name);
    w.end_array();
    w.key("models").begin_array();
    for (const std::string& m : key.models)
        w.value(std::string_view(m));
    w.end_array();
    w.key("mcp_tools").begin_array();
    for (const std::string& t : key.mcp_tools)
        w.value(std::string_view(t));
    w.end_array();
    w.key("limits").begin_object();
    w.field("requests_per_minute", key.limits.requests_per_minute)
        .field("tokens_per_minute", key.limits.tokens_per_minute)
        .field("concurrent_requests", key.limits.concurrent_requests)
        .end_object();
    w.key("budget").begin_object();
    w.field("tokens_per_day", key.budget.tokens_per_day)
        .field("tokens_per_month", key.budget.tokens_per_month)
        .field("cost_per_day", key.budget.cost_per_day)
        .field("cost_per_month", key.budget.cost_per_month)
        .end_object();
    w.field("created_at", key.created_ms / 1000);
    w.key("expires_at");
    if (key.expires_ms > 0)
        w.value(key.expires_ms / 1000);
    else
        w.null();
    w.key("revoked_at");
    if (key.revoked_ms > 0)
        w.value(key.revoked_ms / 1000);
    else
        w.null();
    w.field("signing", !key.sealed_signing_key.empty());
    w.key("replaced_by");
    if (!key.replaced_by.empty())
        w.value(std::string_view(key.replaced_by));
    else
        w.null();
    w.end_object();
    return w.take();
}

} // namespace edgeai::security
