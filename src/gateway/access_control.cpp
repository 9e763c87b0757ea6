#include "gateway/access_control.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/sha256.h"
#include "security/shared_admission.h"

#include <algorithm>

namespace edgeai::gateway {

std::string owner_of(const Caller& caller) {
    return caller.key != nullptr ? caller.key->id : std::string();
}

std::optional<std::string> models_visible_to(const Caller& caller, std::string_view list_json) {
    if (caller.key == nullptr || caller.key->models.empty()) return {};
    auto doc = codec::JsonDocument::parse(list_json);
    if (!doc.ok()) return {};
    const codec::JsonValue root = doc->root();
    if (!root.is_object() || !root["data"].is_array()) return {};
    std::string out;
    out.reserve(list_json.size());
    codec::JsonWriter w(&out);
    w.begin_object();
    for (size_t i = 0; i < root.size(); ++i) {
        const std::string_view name = root.member_name(i);
        const codec::JsonValue value = root.member_value(i);
        w.key(name);
        if (name != "data") {
            codec::write_json_value(w, value);
            continue;
        }
        w.begin_array();
        for (size_t j = 0; j < value.size(); ++j) {
            const codec::JsonValue model = value.at(j);
            if (caller.key->allows_model(model["id"].as_string()))
                codec::write_json_value(w, model);
        }
        w.end_array();
    }
    w.end_object();
    return out;
}

bool may_see(const Caller& caller, std::string_view owner) {
    return caller.key == nullptr || caller.key->has_scope(security::kScopeAdmin) ||
           caller.key->id == owner;
}

std::optional<std::string> visible_owner(const Caller& caller) {
    if (caller.key == nullptr || caller.key->has_scope(security::kScopeAdmin)) return {};
    return caller.key->id;
}

bool is_loopback_peer(std::string_view peer) {
    // Only processes on this machine reach a Unix socket (and its file mode
    // says which); on stdio the client is the process that started us.
    if (peer.starts_with("unix:") || peer.starts_with("stdio:")) return true;
    const std::string_view address = security::peer_address(peer);
    if (address == "::1") return true;
    constexpr std::string_view kMapped = "::ffff:";
    const std::string_view v4 =
        address.substr(0, kMapped.size()) == kMapped ? address.substr(kMapped.size()) : address;
    return v4.substr(0, 4) == "127.";
}

AccessControl::AccessControl(Options options)
    : options_(std::move(options)), failures_(options_.settings->max_failures_per_minute),
      started_s_(options_.clock != nullptr ? options_.clock->unix_ms() / 1000 : 0) {}

core::Status AccessControl::refresh() {
    if (options_.store == nullptr) return {};
    auto generation = options_.store->generation();
    if (!generation.ok()) return generation.status();
    if (loaded_ && *generation == generation_) return {};
    auto keys = options_.store->load_all();
    if (!keys.ok()) return keys.status();
    auto locked = options_.store->locked();
    if (!locked.ok()) return locked.status();
    ring_.replace(std::move(keys).value());
    locked_ = *locked;
    generation_ = *generation;
    loaded_ = true;
    return {};
}

core::Status AccessControl::reject(std::string_view reason, core::Status refusal) {
    if (options_.metrics != nullptr) {
        options_.metrics
            ->counter("edgeai_auth_rejections_total",
                      "Requests refused by authentication, scopes, limits or budgets",
                      {{"reason", reason}})
            .add();
    }
    return refusal;
}

core::Status AccessControl::unauthenticated(std::string_view address, std::string_view reason,
                                            std::string message) {
    // No address: an in-process caller (job delivery), nobody to brake. A
    // braked address is told so instead, but only for a failed attempt: a
    // right key passes, so one client behind a shared address (a reverse
    // proxy) cannot lock everyone else out by failing.
    if (!address.empty()) {
        const int64_t now_ms = options_.clock->unix_ms();
        if (const int64_t wait = failures_.blocked_for_ms(address, now_ms); wait > 0) {
            return reject(
                "brute_force",
                api::rate_limited("too_many_failed_attempts",
                                  "Too many failed authentication attempts from this address; "
                                  "try again later",
                                  (wait + 999) / 1000));
        }
        failures_.failed(address, now_ms);
    }
    return reject(reason, api::invalid_api_key(std::move(message)));
}

core::Status AccessControl::check_key(const security::KeyPtr& key, std::string_view address) {
    const int64_t now = options_.clock->unix_ms();
    if (key->revoked_ms != 0) {
        return unauthenticated(address, "revoked",
                               "The API key " + key->id + " ('" + key->name +
                                   "') has been revoked; ask the operator for a new one");
    }
    if (key->expires_ms != 0 && key->expires_ms <= now) {
        return unauthenticated(address, "expired",
                               "The API key " + key->id + " ('" + key->name +
                                   "') has expired; ask the operator for a new one");
    }
    return {};
}

bool AccessControl::signs_with_body(const core::HttpRequest& request) {
    // The order authenticate() looks: a bearer key, x-api-key, a signature.
    return !request.headers.get("x-edgeai-signature").empty() &&
           security::bearer_token(request.headers.get("authorization")).empty() &&
           core::trim_spaces(request.headers.get("x-api-key")).empty();
}

core::Status AccessControl::authenticate(const core::HttpRequest& request, api::Endpoint endpoint,
                                         uint32_t scope, bool async, Caller& caller) {
    if (scope == 0) return {};
    if (endpoint == api::Endpoint::kMetrics) {
        const core::PublicMetrics open = options_.settings->public_metrics;
        if (open == core::PublicMetrics::kAll ||
            (open == core::PublicMetrics::kLoopback && is_loopback_peer(request.peer)))
            return {};
    }
    const std::string_view address = security::peer_address(request.peer);
    if (!enforced()) {
        // Whatever is plugged into a serial port is not vouched for by the
        // machine, and no flag waives that: the line needs keys.
        if (request.peer.starts_with("serial:")) {
            return reject("no_keys",
                          api::permission_denied(
                              "auth_not_configured",
                              "A serial line is served only with API keys: create one with "
                              "'edgeai keys create' and send it in each request's headers"));
        }
        if (options_.insecure_no_auth || is_loopback_peer(request.peer)) return {};
        return reject("no_keys",
                      api::permission_denied("auth_not_configured",
                                             "This gateway has no API keys yet and serves "
                                             "loopback clients only; create a key with "
                                             "'edgeai keys create' to let others in"));
    }
    std::string_view presented = security::bearer_token(request.headers.get("authorization"));
    if (presented.empty() && api::is_anthropic(endpoint))
        presented = core::trim_spaces(request.headers.get("x-api-key"));
    const std::string_view signature = request.headers.get("x-edgeai-signature");
    if (!presented.empty()) {
        auto id = security::presented_key_id(presented);
        security::KeyPtr key = id ? ring_.find_id(*id) : nullptr;
        // Hash and compare even for an unknown id, so timing does not tell
        // which ids exist.
        const bool matches = security::key_hash_matches(presented, key ? key->hash : "");
        if (key == nullptr || !matches) {
            return unauthenticated(address, "invalid",
                                   "Incorrect API key provided. Keys are made with 'edgeai keys "
                                   "create' and sent as 'Authorization: Bearer <key>'");
        }
        if (core::Status refused = check_key(key, address); !refused.ok()) return refused;
        caller.key = std::move(key);
    } else if (!signature.empty()) {
        if (core::Status refused = verify_signature(request, signature, caller, address);
            !refused.ok())
            return refused;
    } else if (!request.client_cert_cn.empty()) {
        // The TLS layer verified the certificate against tls.client_ca: its
        // CN names the key this device acts as.
        security::KeyPtr key = ring_.find_latest(request.client_cert_cn);
        if (key == nullptr) {
            return unauthenticated(address, "invalid",
                                   "The client certificate's CN '" + request.client_cert_cn +
                                       "' names no API key; create one with that name");
        }
        if (core::Status refused = check_key(key, address); !refused.ok()) return refused;
        caller.key = std::move(key);
    } else {
        return unauthenticated(
            address, "missing",
            api::is_anthropic(endpoint)
                ? "Missing API key: send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'"
                : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'");
    }

    const security::ApiKey& key = *caller.key;
    const uint32_t needed = async ? scope | security::kScopeJobs : scope;
    if (core::Status refused =
            authorize_scope(caller, needed, request.method + " " + std::string(request.path()));
        !refused.ok())
        return refused;
    if (key.limits.requests_per_minute > 0 || key.limits.tokens_per_minute > 0) {
        caller.has_rate = true;
        caller.rate = limiter_.view(key, options_.clock->monotonic_ns());
    }
    return {};
}

core::Status AccessControl::verify_signature(const core::HttpRequest& request,
                                             std::string_view header, Caller& caller,
                                             std::string_view address) {
    auto parsed = security::parse_signature_header(header);
    if (!parsed.ok()) return unauthenticated(address, "signature", parsed.status().message());
    const security::SignatureHeader& h = *parsed;
    security::KeyPtr key = ring_.find_id(h.key_id);
    const std::string signing_key =
        key == nullptr ? std::string()
                       : security::unseal_signing_key(options_.server_secret, key->id,
                                                      key->sealed_signing_key);
    if (h.version == 1) {
        if (std::string_view covered = security::first_signed_header(request.headers);
            !covered.empty()) {
            return unauthenticated(address, "signature",
                                   "A version 1 signature does not cover the " +
                                       std::string(covered) +
                                       " header this request carries: sign with v=2 "
                                       "(docs/security.md)");
        }
    }
    const std::string canonical =
        h.version == 2
            ? security::canonical_request_v2(request.method, request.target, h.timestamp_s, h.nonce,
                                             request.headers, request.body)
            : security::canonical_request(request.method, request.target, h.timestamp_s, h.nonce,
                                          request.body);
    const std::string expected = security::request_signature(
        signing_key.empty() ? std::string_view("no key") : std::string_view(signing_key),
        canonical);
    std::string given(h.signature_hex);
    std::transform(given.begin(), given.end(), given.begin(),
                   [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c + 32) : c; });
    if (key == nullptr || signing_key.empty() || !core::constant_time_equal(expected, given)) {
        return unauthenticated(address, "signature",
                               "The request signature does not match: sign method, target, ts, "
                               "nonce, the covered headers and the body's SHA-256 with the "
                               "key's signing key (docs/security.md)");
    }
    if (core::Status refused = check_key(key, address); !refused.ok()) return refused;
    const int64_t now_ms = options_.clock->unix_ms();
    const int64_t skew = options_.settings->signature_skew_ms;
    const int64_t signed_ms = h.timestamp_s * 1000;
    if (signed_ms < now_ms - skew || signed_ms > now_ms + skew) {
        return unauthenticated(
            address, "stale",
            "The signed request's timestamp is " + std::to_string((now_ms - signed_ms) / 1000) +
                " s away from the server's clock (at most " + std::to_string(skew / 1000) +
                " s allowed); check the device's clock");
    }
    // The nonce cache lives in memory: a request signed before this process
    // started could have been seen by the one before it, so it is refused
    // rather than replayable once after a restart.
    if (h.timestamp_s < started_s_) {
        return unauthenticated(address, "stale",
                               "The request was signed before this server started; sign it "
                               "again (a signature is good once, restarts included)");
    }
    // Remembered for two windows: a timestamp at the far edge of the window
    // stays refused for as long as it could pass the skew check.
    switch (nonces_.remember(h.key_id, h.nonce, now_ms, now_ms + 2 * skew)) {
    case security::NonceCache::Result::kFresh:
        break;
    case security::NonceCache::Result::kReplayed:
        return unauthenticated(address, "replay",
                               "This signed request was already received (its nonce was used); "
                               "sign each request with a new nonce");
    case security::NonceCache::Result::kFull:
        return reject("nonce_cache_full",
                      api::rate_limited("rate_limit_exceeded",
                                        "Too many signed requests at once; try again shortly", 1));
    }
    caller.key = std::move(key);
    return {};
}

core::Status AccessControl::authorize_scope(const Caller& caller, uint32_t scope,
                                            std::string_view what) {
    if (caller.key == nullptr) return {};
    const security::ApiKey& key = *caller.key;
    // A key that may use models may list them (most clients ask GET
    // /v1/models first): the list shows only the models it may use.
    constexpr uint32_t kInference =
        security::kScopeChat | security::kScopeCompletions | security::kScopeEmbeddings;
    for (uint32_t bit = 1; (bit & security::kAllScopes) != 0; bit <<= 1) {
        if ((scope & bit) == 0 || key.has_scope(bit)) continue;
        if (bit == security::kScopeModels && (key.scopes & kInference) != 0) continue;
        return reject("scope", api::permission_denied(
                                   "insufficient_scope",
                                   "The API key '" + key.name + "' lacks the '" +
                                       security::scope_names(bit) + "' scope needed for " +
                                       std::string(what) +
                                       " (it has: " + security::scope_names(key.scopes) + ")"));
    }
    return {};
}

core::Status AccessControl::authorize_model(const Caller& caller, std::string_view model) {
    if (caller.key == nullptr || caller.key->allows_model(model)) return {};
    std::string allowed;
    for (const std::string& m : caller.key->models)
        allowed += (allowed.empty() ? "'" : ", '") + m + "'";
    return reject("model", api::permission_denied(
                               "model_not_allowed",
                               "The API key '" + caller.key->name + "' may not use the model '" +
                                   std::string(model) + "' (it may use " + allowed + ")")
                               .with_field("model"));
}

core::Status AccessControl::admit(Caller& caller, int64_t estimated_tokens) {
    if (caller.key == nullptr) return {};
    const security::ApiKey& key = *caller.key;
    if (counted_shared(key)) {
        // The shared counters are away (wants_shared() said so): the fail mode.
        SharedGrant grant;
        core::Status refused =
            fallback(caller.key, estimated_tokens, false, grant, options_.shared->state());
        if (refused.ok()) accept(caller, std::move(grant));
        return refused;
    }
    const bool limited = key.limits.requests_per_minute > 0 || key.limits.tokens_per_minute > 0 ||
                         key.limits.concurrent_requests > 0 || key.budget.any();
    if (!limited) return {};
    security::Admission a = limiter_.admit(key, options_.clock->monotonic_ns(),
                                           options_.clock->unix_ms(), estimated_tokens);
    caller.rate = a.view;
    if (!a.admitted) {
        return reject(a.code == "rate_limit_exceeded" ? std::string_view("rate") : a.code,
                      api::rate_limited(a.code, a.message, a.retry_after_s));
    }
    caller.admitted = true;
    caller.estimated_tokens = estimated_tokens;
    return {};
}

core::Status AccessControl::admit_request(Caller& caller) {
    if (caller.key == nullptr || caller.key->limits.requests_per_minute <= 0) return {};
    if (counted_shared(*caller.key)) {
        SharedGrant grant;
        core::Status refused = fallback(caller.key, 0, true, grant, options_.shared->state());
        if (refused.ok()) accept(caller, std::move(grant));
        return refused;
    }
    security::Admission a = limiter_.admit_request(*caller.key, options_.clock->monotonic_ns());
    caller.rate = a.view;
    if (!a.admitted) return reject("rate", api::rate_limited(a.code, a.message, a.retry_after_s));
    return {};
}

void AccessControl::finish(Caller& caller, int64_t used_tokens, double cost) {
    if (caller.key == nullptr) return;
    if (caller.shared) {
        caller.shared = false;
        options_.shared->settle(caller.shared_ask, caller.lease, used_tokens, cost);
    }
    if (!caller.admitted) return;
    caller.admitted = false;
    limiter_.finish(*caller.key, caller.estimated_tokens, used_tokens, cost,
                    options_.clock->unix_ms());
}

bool AccessControl::counted_shared(const security::ApiKey& key) const {
    return options_.shared != nullptr && security::has_shared_limits(key);
}

bool AccessControl::wants_shared(const Caller& caller) const {
    return caller.key != nullptr && counted_shared(*caller.key) && options_.shared->available();
}

core::Status AccessControl::fallback(const security::KeyPtr& key, int64_t estimated_tokens,
                                     bool rate_only, SharedGrant& grant, std::string_view why) {
    const core::LimitsFailMode mode =
        options_.limits != nullptr ? options_.limits->fail_mode : core::LimitsFailMode::kLocal;
    if (options_.metrics != nullptr) {
        options_.metrics
            ->counter("edgeai_shared_limits_fallbacks_total",
                      "Admissions decided by limits.fail_mode because Redis did not answer",
                      {{"mode", mode == core::LimitsFailMode::kOpen     ? "open"
                                : mode == core::LimitsFailMode::kClosed ? "closed"
                                                                        : "local"}})
            .add();
    }
    switch (mode) {
    case core::LimitsFailMode::kOpen:
        return {};
    case core::LimitsFailMode::kClosed:
        return reject("limits_unavailable",
                      core::unavailable("The shared limits (Redis) cannot be reached (" +
                                        std::string(why) +
                                        "), and limits.fail_mode = \"closed\" refuses limited "
                                        "keys until they can; try again shortly")
                          .with_error_code("limits_unavailable")
                          .with_retry_after_s(1));
    case core::LimitsFailMode::kLocal:
        break;
    }
    const int64_t replicas = options_.limits != nullptr ? options_.limits->replicas : 1;
    const security::ApiKey share = security::local_share(*key, replicas);
    const security::Admission a =
        rate_only ? limiter_.admit_request(share, options_.clock->monotonic_ns())
                  : limiter_.admit(share, options_.clock->monotonic_ns(), options_.clock->unix_ms(),
                                   estimated_tokens);
    grant.view = a.view;
    if (!a.admitted) {
        return reject(a.code == "rate_limit_exceeded" ? std::string_view("rate") : a.code,
                      api::rate_limited(a.code, a.message, a.retry_after_s));
    }
    grant.local = !rate_only;
    grant.estimated_tokens = estimated_tokens;
    return {};
}

void AccessControl::admit_shared(const security::KeyPtr& key, int64_t estimated_tokens,
                                 bool rate_only, SharedDone done) {
    security::SharedAsk ask = security::shared_ask(*key, estimated_tokens, rate_only);
    options_.shared->admit(ask, [this, key, ask, estimated_tokens, rate_only,
                                 done = std::move(done)](security::SharedAnswer answer) {
        SharedGrant grant;
        if (!answer.answered) {
            core::Status refused = fallback(key, estimated_tokens, rate_only, grant, answer.error);
            done(std::move(refused), std::move(grant));
            return;
        }
        const security::Admission a = security::admission_from(*key, answer);
        grant.view = a.view;
        if (!a.admitted) {
            done(reject(a.code == "rate_limit_exceeded" ? std::string_view("rate") : a.code,
                        api::rate_limited(a.code, a.message, a.retry_after_s)),
                 std::move(grant));
            return;
        }
        grant.shared = !rate_only;
        grant.ask = ask;
        grant.lease = std::move(answer.lease);
        grant.estimated_tokens = estimated_tokens;
        done({}, std::move(grant));
    });
}

void AccessControl::accept(Caller& caller, SharedGrant grant) {
    caller.rate = grant.view;
    if (grant.local) {
        caller.admitted = true;
        caller.estimated_tokens = grant.estimated_tokens;
    }
    if (grant.shared) {
        caller.shared = true;
        caller.shared_ask = std::move(grant.ask);
        caller.lease = std::move(grant.lease);
        caller.estimated_tokens = grant.estimated_tokens;
    }
}

void AccessControl::release(const security::KeyPtr& key, const SharedGrant& grant) {
    if (grant.shared) options_.shared->settle(grant.ask, grant.lease, 0, 0);
    if (grant.local) limiter_.finish(*key, grant.estimated_tokens, 0, 0, options_.clock->unix_ms());
}

std::string AccessControl::shared_state() const {
    return options_.shared != nullptr ? options_.shared->state() : std::string();
}

bool AccessControl::shared_refuses_when_down() const {
    return options_.shared != nullptr && options_.limits != nullptr &&
           options_.limits->fail_mode == core::LimitsFailMode::kClosed &&
           !options_.shared->available();
}

core::Status AccessControl::act_as(std::string_view key_id, Caller& caller) {
    caller.key = ring_.find_id(key_id);
    if (caller.key == nullptr) {
        return reject("invalid", api::invalid_api_key("The API key " + std::string(key_id) +
                                                      " that made this request no longer exists"));
    }
    return check_key(caller.key, {});
}

void AccessControl::seed_budgets(router::UsageStore& usage) {
    const int64_t now = options_.clock->unix_ms();
    router::UsageQuery day;
    day.by = router::UsageGroup::kKey;
    day.since_unix_ms = security::utc_day(now) * 86400000;
    router::UsageQuery month = day;
    month.since_unix_ms = security::utc_month_start_ms(now);
    auto days = usage.summarize(day);
    auto months = usage.summarize(month);
    if (!days.ok() || !months.ok()) return;
    for (const router::UsageRow& m : *months) {
        if (m.group.empty()) continue;
        int64_t day_tokens = 0;
        double day_cost = 0;
        for (const router::UsageRow& d : *days) {
            if (d.group != m.group) continue;
            day_tokens = d.prompt_tokens + d.completion_tokens;
            day_cost = d.cost;
        }
        limiter_.seed_spent(m.group, now, day_tokens, day_cost,
                            m.prompt_tokens + m.completion_tokens, m.cost);
    }
}

} // namespace edgeai::gateway
