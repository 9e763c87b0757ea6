// AccessControl: who is calling and what they may do, decided before any
// work. A request is authenticated by a bearer key (Authorization, or
// x-api-key on the Anthropic route), a signature (x-edgeai-signature) or a
// verified client certificate; then its route's scope, its model and its
// key's limits and budgets are checked. Failures are 401, 403 and 429 in the
// API's error shape; repeated 401s from one address are braked with 429.
//
// Auth is enforced once any key exists or auth.required is set. Without
// keys, only loopback clients are served unless the operator chose
// --insecure-no-auth.
#pragma once

#include "api/api_error.h"
#include "api/routes.h"
#include "core/clock.h"
#include "core/config/settings.h"
#include "core/http_types.h"
#include "router/usage.h"
#include "security/failure_limiter.h"
#include "security/key_limiter.h"
#include "security/key_store.h"
#include "security/request_signature.h"
#include "security/shared_counters.h"
#include "telemetry/metrics.h"

#include <functional>
#include <optional>
#include <string>

namespace edgeai::gateway {

// One request's caller, from authentication to the end of its response.
struct Caller {
    security::KeyPtr key; // null: served without a key (auth off)
    int64_t estimated_tokens = 0;
    bool admitted = false; // holds a concurrency slot until finish()
    bool has_rate = false; // x-ratelimit-* go on the response
    security::RateView rate;
    // Admitted by the shared counters (limits.backend = "redis"): finish()
    // settles `shared_ask` there and frees `lease`.
    bool shared = false;
    security::SharedAsk shared_ask;
    std::string lease;
};

// What the shared counters granted a request, carried to the caller once the
// answer is back (the request may be gone by then: release_shared()).
struct SharedGrant {
    bool shared = false; // counted in Redis: settle at the end
    bool local = false;  // counted here (fail mode "local"): finish() locally
    security::SharedAsk ask;
    std::string lease;
    int64_t estimated_tokens = 0;
    security::RateView view;
};
using SharedDone = std::function<void(core::Status refused, SharedGrant grant)>;

class AccessControl {
  public:
    struct Options {
        const core::AuthSettings* settings = nullptr;
        security::KeyStore* store = nullptr; // null: no keys (auth.required refuses all)
        std::string server_secret;           // unseals signing keys
        const core::Clock* clock = nullptr;
        telemetry::MetricsRegistry* metrics = nullptr;
        // Serve non-loopback clients without keys (--insecure-no-auth).
        bool insecure_no_auth = false;
        // Counters shared with other replicas (limits.backend = "redis");
        // null: every limit is counted here. `limits` says what to do when
        // they do not answer.
        security::SharedCounters* shared = nullptr;
        const core::LimitsSettings* limits = nullptr;
    };
    explicit AccessControl(Options options);

    // Reloads the keys when the store changed; cheap when it did not. The
    // shell calls it at start and twice a second.
    core::Status refresh();
    bool enforced() const { return options_.settings->required || !ring_.empty() || locked_; }

    // Authentication and the route's `scope` (security::kScope*, 0 for an
    // open route; `async` adds the jobs scope). On success `caller` names the
    // key (or none when auth is off). `endpoint` tells where the key may be
    // (x-api-key on Anthropic's route) and whether metrics are public.
    [[nodiscard]] core::Status authenticate(const core::HttpRequest& request,
                                            api::Endpoint endpoint, uint32_t scope, bool async,
                                            Caller& caller);
    // A request that authenticates by signature alone: the signature covers
    // the body, so it is checked once the body is read, not from the head.
    static bool signs_with_body(const core::HttpRequest& request);
    // The key's scopes cover `scope` (403 insufficient_scope naming `what`,
    // e.g. "POST /v1/completions"); no key passes.
    [[nodiscard]] core::Status authorize_scope(const Caller& caller, uint32_t scope,
                                               std::string_view what);
    // The key's model allow-list (403 model_not_allowed).
    [[nodiscard]] core::Status authorize_model(const Caller& caller, std::string_view model);
    // Limits and budgets; takes a slot that finish() gives back.
    [[nodiscard]] core::Status admit(Caller& caller, int64_t estimated_tokens);
    // A request that spends no tokens: the key's requests per minute only.
    [[nodiscard]] core::Status admit_request(Caller& caller);
    // The response is over: real tokens and cost settle the estimate.
    void finish(Caller& caller, int64_t used_tokens, double cost);

    // Shared limits: true when the caller's key has limits the shared
    // counters keep and they are up, so admission waits for their answer
    // (admit_shared) instead of deciding here (admit, admit_request, which
    // then apply limits.fail_mode).
    bool wants_shared(const Caller& caller) const;
    // Asks the shared counters for `key`; `done` runs later on the loop with
    // the refusal (as admit() would give it) or what was granted. The fail
    // mode applies when no answer comes in time.
    void admit_shared(const security::KeyPtr& key, int64_t estimated_tokens, bool rate_only,
                      SharedDone done);
    // The caller now holds `grant`; finish() gives it back.
    void accept(Caller& caller, SharedGrant grant);
    // A grant whose request went away before it could use it.
    void release(const security::KeyPtr& key, const SharedGrant& grant);
    // For /readyz: "" when limits are local, else the shared counters' state.
    std::string shared_state() const;
    bool shared_refuses_when_down() const;
    // A job's delivery acts as the key that made the job: it passes the same
    // model check and admission as a direct request (authorize_and_admit in
    // gateway.cpp), so a batch line or a queued job cannot exceed its key's
    // limits; a key deleted since is refused (401 key_not_found).
    [[nodiscard]] core::Status act_as(std::string_view key_id, Caller& caller);

    // Spending since the start of this UTC day and month, from the usage
    // records, so budgets hold across restarts.
    void seed_budgets(router::UsageStore& usage);

    const security::KeyRing& ring() const { return ring_; }
    security::KeyStore* store() { return options_.store; }
    const std::string& server_secret() const { return options_.server_secret; }

  private:
    core::Status reject(std::string_view reason, core::Status refusal);
    core::Status unauthenticated(std::string_view address, std::string_view reason,
                                 std::string message);
    core::Status check_key(const security::KeyPtr& key, std::string_view address);
    core::Status fallback(const security::KeyPtr& key, int64_t estimated_tokens, bool rate_only,
                          SharedGrant& grant, std::string_view why);
    bool counted_shared(const security::ApiKey& key) const;
    core::Status verify_signature(const core::HttpRequest& request, std::string_view header,
                                  Caller& caller, std::string_view address);

    Options options_;
    security::KeyRing ring_;
    uint64_t generation_ = 0;
    bool loaded_ = false;
    bool locked_ = false; // a key has existed (KeyStore::locked)
    security::KeyLimiter limiter_;
    security::FailureLimiter failures_;
    security::NonceCache nonces_;
    int64_t started_s_; // signatures older than this process are refused
};

// Jobs, files and batches belong to the key that made them. A caller sees
// its own; an admin key, or any caller while auth is off, sees all.
std::string owner_of(const Caller& caller);
bool may_see(const Caller& caller, std::string_view owner);
// For lists: the owner to filter on, or nullopt for all.
std::optional<std::string> visible_owner(const Caller& caller);

// A model list (`{"object":"list","data":[{"id":...},...]}`, from an upstream
// or the local engine) with only the models the caller's key allows; nullopt
// when there is nothing to take out (no key, a key for any model, a body that
// is not such a list).
std::optional<std::string> models_visible_to(const Caller& caller, std::string_view list_json);

// True for 127.0.0.0/8, ::1 and ::ffff:127.x peers, and a Unix socket's.
bool is_loopback_peer(std::string_view peer);

} // namespace edgeai::gateway
