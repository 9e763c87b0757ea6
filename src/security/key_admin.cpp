#include "security/key_admin.h"

#include "codec/json/json_document.h"
#include "core/duration.h"
#include "security/request_signature.h"

namespace edgeai::security {

namespace {

core::Status field_error(std::string_view field, std::string message) {
    return core::invalid_argument(std::move(message)).with_field(std::string(field));
}

// A whole number >= 0 at `field`, or an error naming it.
core::Status read_count(codec::JsonValue v, std::string_view field, int64_t& out) {
    if (v.is_missing() || v.is_null()) return {};
    if (!v.is_integer() || v.as_int64() < 0)
        return field_error(field, std::string(field) + " must be a whole number, 0 or more");
    out = v.as_int64();
    return {};
}

core::Status read_amount(codec::JsonValue v, std::string_view field, double& out) {
    if (v.is_missing() || v.is_null()) return {};
    if (!v.is_number() || v.as_double() < 0)
        return field_error(field, std::string(field) + " must be a number, 0 or more");
    out = v.as_double();
    return {};
}

// Refuses members not in `known`, so a misspelt limit is not silently no limit.
core::Status only_known(codec::JsonValue object, std::string_view where,
                        std::initializer_list<std::string_view> known) {
    for (size_t i = 0; i < object.size(); ++i) {
        const std::string_view name = object.member_name(i);
        bool ok = false;
        for (std::string_view k : known)
            ok = ok || k == name;
        if (!ok) {
            std::string list;
            for (std::string_view k : known)
                list += (list.empty() ? "" : ", ") + std::string(k);
            const std::string path =
                where.empty() ? std::string(name) : std::string(where) + "." + std::string(name);
            return field_error(path, "unknown field '" + path + "'; known: " + list);
        }
    }
    return {};
}

core::Status check_spec(const KeySpec& spec) {
    if (!is_valid_key_name(spec.name)) {
        return field_error("name", "a key needs a name of 1 to 64 letters, digits, '-', '_' or "
                                   "'.', not '" +
                                       spec.name + "'");
    }
    for (const std::string& m : spec.models)
        if (m.empty()) return field_error("models", "an empty model pattern matches nothing");
    for (const std::string& t : spec.mcp_tools) {
        const bool named =
            !t.empty() && t.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
        if (!named)
            return field_error("mcp_tools", "'" + t +
                                                "' is not a tool name (chat, embed, "
                                                "list_models, submit_job, get_job)");
    }
    return {};
}

core::Result<KeyRing> load_ring(KeyStore& store) {
    auto keys = store.load_all();
    if (!keys.ok()) return keys.status();
    KeyRing ring;
    ring.replace(std::move(keys).value());
    return ring;
}

core::Status not_found_key(std::string_view id_or_name) {
    return core::not_found("no key with id or name '" + std::string(id_or_name) +
                           "' (edgeai keys list shows them)");
}

} // namespace

core::Result<KeySpec> key_spec_from_json(std::string_view body, int64_t now_ms) {
    auto doc = codec::JsonDocument::parse(body);
    if (!doc.ok()) return doc.status();
    const codec::JsonValue root = doc->root();
    if (!root.is_object()) return core::invalid_argument("the body must be a JSON object");
    if (auto s = only_known(root, "",
                            {"name", "scopes", "models", "mcp_tools", "limits", "budget",
                             "expires_in", "expires_at", "signing"});
        !s.ok())
        return s;
    KeySpec spec;
    if (!root["name"].is_string()) return field_error("name", "name is required (a string)");
    spec.name = std::string(root["name"].as_string());
    const codec::JsonValue scopes = root["scopes"];
    if (scopes.is_string()) {
        auto mask = parse_scopes(scopes.as_string());
        if (!mask.ok()) return core::Status(mask.status()).with_field("scopes");
        spec.scopes = *mask;
    } else if (scopes.is_array()) {
        std::string joined;
        for (size_t i = 0; i < scopes.size(); ++i) {
            if (!scopes.at(i).is_string()) return field_error("scopes", "scopes must be strings");
            joined += std::string(scopes.at(i).as_string()) + ",";
        }
        auto mask = parse_scopes(joined);
        if (!mask.ok()) return core::Status(mask.status()).with_field("scopes");
        spec.scopes = *mask;
    } else if (!scopes.is_missing() && !scopes.is_null()) {
        return field_error("scopes",
                           "scopes must be a list of strings or a comma-separated string");
    }
    const codec::JsonValue tools = root["mcp_tools"];
    if (tools.is_array()) {
        for (size_t i = 0; i < tools.size(); ++i) {
            if (!tools.at(i).is_string())
                return field_error("mcp_tools", "mcp_tools must be tool names (strings)");
            spec.mcp_tools.emplace_back(tools.at(i).as_string());
        }
    } else if (!tools.is_missing() && !tools.is_null()) {
        return field_error("mcp_tools", "mcp_tools must be a list of tool names");
    }
    const codec::JsonValue models = root["models"];
    if (models.is_array()) {
        for (size_t i = 0; i < models.size(); ++i) {
            if (!models.at(i).is_string())
                return field_error("models", "models must be strings (globs such as 'qwen*')");
            spec.models.emplace_back(models.at(i).as_string());
        }
    } else if (!models.is_missing() && !models.is_null()) {
        return field_error("models", "models must be a list of strings");
    }
    const codec::JsonValue limits = root["limits"];
    if (!limits.is_missing() && !limits.is_null()) {
        if (!limits.is_object()) return field_error("limits", "limits must be an object");
        if (auto s =
                only_known(limits, "limits",
                           {"requests_per_minute", "tokens_per_minute", "concurrent_requests"});
            !s.ok())
            return s;
        for (auto [name, out] :
             {std::pair{"requests_per_minute", &spec.limits.requests_per_minute},
              std::pair{"tokens_per_minute", &spec.limits.tokens_per_minute},
              std::pair{"concurrent_requests", &spec.limits.concurrent_requests}}) {
            if (auto s = read_count(limits[name], std::string("limits.") + name, *out); !s.ok())
                return s;
        }
    }
    const codec::JsonValue budget = root["budget"];
    if (!budget.is_missing() && !budget.is_null()) {
        if (!budget.is_object()) return field_error("budget", "budget must be an object");
        if (auto s = only_known(
                budget, "budget",
                {"tokens_per_day", "tokens_per_month", "cost_per_day", "cost_per_month"});
            !s.ok())
            return s;
        if (auto s = read_count(budget["tokens_per_day"], "budget.tokens_per_day",
                                spec.budget.tokens_per_day);
            !s.ok())
            return s;
        if (auto s = read_count(budget["tokens_per_month"], "budget.tokens_per_month",
                                spec.budget.tokens_per_month);
            !s.ok())
            return s;
        if (auto s = read_amount(budget["cost_per_day"], "budget.cost_per_day",
                                 spec.budget.cost_per_day);
            !s.ok())
            return s;
        if (auto s = read_amount(budget["cost_per_month"], "budget.cost_per_month",
                                 spec.budget.cost_per_month);
            !s.ok())
            return s;
    }
    if (root["expires_in"].is_string()) {
        auto ms = core::parse_duration_ms(root["expires_in"].as_string());
        if (!ms.ok()) return core::Status(ms.status()).with_field("expires_in");
        spec.expires_ms = now_ms + *ms;
    } else if (!root["expires_in"].is_missing()) {
        return field_error("expires_in", "expires_in must be a duration such as \"30d\"");
    }
    if (root["expires_at"].is_integer()) {
        spec.expires_ms = root["expires_at"].as_int64() * 1000;
        if (spec.expires_ms <= now_ms)
            return field_error("expires_at", "expires_at is in the past");
    } else if (!root["expires_at"].is_missing()) {
        return field_error("expires_at", "expires_at must be a unix time in seconds");
    }
    if (root["signing"].is_bool()) {
        spec.signing = root["signing"].as_bool();
    } else if (!root["signing"].is_missing()) {
        return field_error("signing", "signing must be true or false");
    }
    if (auto s = check_spec(spec); !s.ok()) return s;
    return spec;
}

core::Result<NewKey> create_key(KeyStore& store, const KeySpec& spec, std::string_view random,
                                std::string_view server_secret, int64_t now_ms) {
    if (auto s = check_spec(spec); !s.ok()) return s;
    if (random.size() < kKeyRandomBytes)
        return core::Status(core::StatusCode::kInternal, "not enough random bytes for a key");
    auto ring = load_ring(store);
    if (!ring.ok()) return ring.status();
    if (KeyPtr same = ring->find(spec.name); same != nullptr && same->name == spec.name) {
        return core::Status(core::StatusCode::kInvalidArgument,
                            "a key named '" + spec.name + "' exists (id " + same->id +
                                "); revoke or rotate it, or pick another name")
            .with_field("name");
    }
    KeyMaterial material = new_key_material(random);
    if (ring->find_id(material.id) != nullptr)
        return core::Status(core::StatusCode::kInternal, "key id collision; try again");
    NewKey out;
    out.key = std::move(material.key);
    ApiKey& k = out.record;
    k.id = std::move(material.id);
    k.name = spec.name;
    k.hash = std::move(material.hash);
    k.scopes = spec.scopes;
    k.models = spec.models;
    k.mcp_tools = spec.mcp_tools;
    k.limits = spec.limits;
    k.budget = spec.budget;
    k.created_ms = now_ms;
    k.expires_ms = spec.expires_ms;
    if (spec.signing) {
        if (server_secret.empty())
            return core::Status(core::StatusCode::kInternal, "no server secret to seal with");
        k.sealed_signing_key = seal_signing_key(server_secret, k.id, signing_key_for(out.key));
    }
    if (auto s = store.insert(k); !s.ok()) return s;
    return out;
}

core::Result<ApiKey> revoke_key(KeyStore& store, std::string_view id_or_name, int64_t now_ms) {
    auto ring = load_ring(store);
    if (!ring.ok()) return ring.status();
    KeyPtr found = ring->find(id_or_name);
    if (found == nullptr) return not_found_key(id_or_name);
    ApiKey k = *found;
    if (k.revoked_ms != 0) return k;
    k.revoked_ms = now_ms;
    if (auto s = store.update(k); !s.ok()) return s;
    return k;
}

core::Result<ApiKey> delete_key(KeyStore& store, std::string_view id_or_name) {
    auto ring = load_ring(store);
    if (!ring.ok()) return ring.status();
    KeyPtr found = ring->find(id_or_name);
    if (found == nullptr) found = ring->find_latest(id_or_name);
    if (found == nullptr) return not_found_key(id_or_name);
    if (auto s = store.remove(found->id); !s.ok()) return s;
    return *found;
}

core::Result<NewKey> rotate_key(KeyStore& store, std::string_view id_or_name,
                                std::string_view random, std::string_view server_secret,
                                int64_t now_ms, int64_t grace_ms) {
    auto ring = load_ring(store);
    if (!ring.ok()) return ring.status();
    KeyPtr found = ring->find(id_or_name);
    if (found == nullptr) return not_found_key(id_or_name);
    ApiKey old = *found;
    if (old.revoked_ms != 0)
        return core::failed_precondition("key " + old.id + " is revoked; create a new one");
    if (!old.replaced_by.empty())
        return core::failed_precondition("key " + old.id + " was already rotated to " +
                                         old.replaced_by + "; rotate that one");
    if (random.size() < kKeyRandomBytes)
        return core::Status(core::StatusCode::kInternal, "not enough random bytes for a key");
    KeyMaterial material = new_key_material(random);
    NewKey out;
    out.key = std::move(material.key);
    ApiKey& k = out.record;
    k = old;
    k.id = std::move(material.id);
    k.hash = std::move(material.hash);
    k.created_ms = now_ms;
    k.replaced_by.clear();
    if (!old.sealed_signing_key.empty()) {
        if (server_secret.empty())
            return core::Status(core::StatusCode::kInternal, "no server secret to seal with");
        k.sealed_signing_key = seal_signing_key(server_secret, k.id, signing_key_for(out.key));
    }
    old.replaced_by = k.id;
    const int64_t grace_end = now_ms + grace_ms;
    if (grace_ms <= 0) {
        old.revoked_ms = now_ms;
    } else if (old.expires_ms == 0 || old.expires_ms > grace_end) {
        old.expires_ms = grace_end;
    }
    if (auto s = store.rotate(old, k); !s.ok()) return s;
    return out;
}

core::Result<ApiKey> find_key(KeyStore& store, std::string_view id_or_name) {
    auto ring = load_ring(store);
    if (!ring.ok()) return ring.status();
    KeyPtr found = ring->find(id_or_name);
    if (found == nullptr) return not_found_key(id_or_name);
    return *found;
}

std::string_view key_state(const ApiKey& key, int64_t now_ms) {
    if (key.revoked_ms != 0) return "revoked";
    if (key.expires_ms != 0 && key.expires_ms <= now_ms) return "expired";
    if (!key.replaced_by.empty()) return "rotated";
    return "active";
}

} // namespace edgeai::security
