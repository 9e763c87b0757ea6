#include "platform/native/redis/redis_shared_counters.h"

#include "core/http_types.h"
#include "platform/native/redis/limit_scripts.h"
#include "platform/native/redis/redis_client.h"

#include <chrono>
#include <cstdio>
#include <unordered_map>

namespace edgeai::platform::native {

using codec::resp::Reply;
using codec::resp::ReplyType;

namespace {

enum Script : size_t { kAdmit = 0, kSettle = 1, kRenew = 2, kScriptCount = 3 };
constexpr const char* kScripts[kScriptCount] = {kAdmitScript, kSettleScript, kRenewScript};

std::string format_cost(double cost) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.9g", cost);
    return buffer;
}

// The five-element answer of the admit script; anything else is garbage.
security::SharedAnswer read_admit_reply(const Reply& r) {
    security::SharedAnswer a;
    const bool shaped =
        r.type == ReplyType::kArray && r.elements.size() == 5 &&
        r.elements[0].type == ReplyType::kInteger && r.elements[1].type == ReplyType::kInteger &&
        r.elements[2].type == ReplyType::kInteger && r.elements[3].type == ReplyType::kInteger &&
        r.elements[4].type == ReplyType::kBulk && r.elements[0].integer >= 0 &&
        r.elements[0].integer <= 5;
    if (!shaped) {
        a.error = r.type == ReplyType::kError ? "redis: " + r.text
                                              : "redis: the admit script answered unexpectedly";
        return a;
    }
    a.answered = true;
    a.refusal = static_cast<security::SharedRefusal>(r.elements[0].integer);
    a.retry_after_ms = r.elements[1].integer;
    a.remaining_requests = r.elements[2].integer;
    a.remaining_tokens = r.elements[3].integer;
    a.lease = r.elements[4].text;
    return a;
}

} // namespace

struct RedisSharedCounters::Impl : std::enable_shared_from_this<RedisSharedCounters::Impl> {
    Impl(EventLoop& event_loop, const core::LimitsSettings& s, telemetry::MetricsRegistry& m,
         std::string replica)
        : loop(event_loop), settings(s),
          up(m.gauge("edgeai_shared_limits_up",
                     "1 while the shared limits' Redis answers, 0 while the fail mode applies")),
          replica_id(std::move(replica)) {}

    std::string key(const std::string& id, std::string_view what) const {
        // The id in braces: a Redis Cluster hash tag, so one key's counters
        // share a slot and one script may touch them all.
        return settings.key_prefix + "{" + id + "}:" + std::string(what);
    }

    // EVALSHA, and EVAL with the text when Redis lost its script cache
    // (restarted, SCRIPT FLUSH) since the connection loaded it.
    void run(Script script, std::vector<std::string> keys, std::vector<std::string> args,
             RedisReplyFn done) {
        std::vector<std::string> command{"EVALSHA", shas[script], std::to_string(keys.size())};
        command.insert(command.end(), keys.begin(), keys.end());
        command.insert(command.end(), args.begin(), args.end());
        client->command(command, [weak = weak_from_this(), script, command,
                                  done = std::move(done)](core::Result<Reply> reply) mutable {
            auto self = weak.lock();
            if (self && reply.ok() && reply->type == ReplyType::kError &&
                reply->text.starts_with("NOSCRIPT")) {
                command[0] = "EVAL";
                command[1] = kScripts[script];
                self->client->command(std::move(command), std::move(done));
                return;
            }
            done(std::move(reply));
        });
    }

    void arm_renewal() {
        const int64_t every = std::max<int64_t>(settings.lease_ttl_ms / 3, 100);
        renew_timer = loop.post_after(every, [weak = weak_from_this()] {
            auto self = weak.lock();
            if (!self) return;
            if (self->client->ready()) {
                for (const auto& [lease, conc_key] : self->leases)
                    self->run(kRenew, {conc_key},
                              {lease, std::to_string(self->settings.lease_ttl_ms)},
                              [](core::Result<Reply>) {});
            }
            self->arm_renewal();
        });
    }

    EventLoop& loop;
    core::LimitsSettings settings;
    std::unique_ptr<RedisClient> client;
    std::string shas[kScriptCount];
    std::unique_ptr<core::Timer> renew_timer;
    telemetry::Gauge& up;
    std::string replica_id;
    uint64_t next_lease = 0;
    // Leases of requests still running here: lease -> its conc key.
    std::unordered_map<std::string, std::string> leases;
};

core::Result<std::unique_ptr<RedisSharedCounters>>
RedisSharedCounters::create(EventLoop& loop, const core::LimitsSettings& settings,
                            telemetry::Logger& logger, telemetry::MetricsRegistry& metrics,
                            std::string replica_id) {
    auto url = core::net::parse_redis_url(settings.redis_url);
    if (!url.ok()) return url.status();
    auto impl = std::make_shared<Impl>(loop, settings, metrics, std::move(replica_id));
    RedisClientOptions options;
    options.url = std::move(url).value();
    options.url_shown = core::redact_url_credentials(settings.redis_url);
    options.timeout_ms = settings.timeout_ms;
    options.connect_timeout_ms = std::max<int64_t>(settings.timeout_ms, 500);
    for (const char* script : kScripts)
        options.on_connect.push_back({"SCRIPT", "LOAD", script});
    std::weak_ptr<Impl> weak = impl;
    impl->client = std::make_unique<RedisClient>(
        loop, std::move(options), logger,
        [weak](const std::vector<Reply>& replies) {
            auto self = weak.lock();
            if (!self) return;
            for (size_t i = 0; i < kScriptCount && i < replies.size(); ++i)
                self->shas[i] = replies[i].text;
        },
        [weak](bool up) {
            if (auto self = weak.lock()) self->up.set(up ? 1 : 0);
        });
    impl->up.set(0);
    impl->client->start();
    impl->arm_renewal();
    return std::unique_ptr<RedisSharedCounters>(new RedisSharedCounters(std::move(impl)));
}

RedisSharedCounters::RedisSharedCounters(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RedisSharedCounters::~RedisSharedCounters() {
    impl_->renew_timer.reset();
    impl_->client.reset();
}

void RedisSharedCounters::admit(const security::SharedAsk& ask, security::SharedAnswerFn done) {
    Impl& s = *impl_;
    std::string lease;
    if (ask.concurrent_requests > 0 && !ask.rate_only)
        lease = s.replica_id + "-" + std::to_string(++s.next_lease);
    std::vector<std::string> keys{s.key(ask.key_id, "rpm"), s.key(ask.key_id, "tpm"),
                                  s.key(ask.key_id, "conc"), s.key(ask.key_id, "day")};
    std::vector<std::string> args{std::to_string(ask.requests_per_minute),
                                  std::to_string(ask.tokens_per_minute),
                                  std::to_string(ask.concurrent_requests),
                                  std::to_string(ask.tokens_per_day),
                                  format_cost(ask.cost_per_day),
                                  std::to_string(ask.estimated_tokens),
                                  lease,
                                  std::to_string(s.settings.lease_ttl_ms)};
    std::string conc_key = keys[2];
    s.run(kAdmit, std::move(keys), std::move(args),
          [weak = std::weak_ptr<Impl>(impl_), conc_key = std::move(conc_key),
           done = std::move(done)](core::Result<Reply> reply) {
              security::SharedAnswer answer;
              if (!reply.ok()) {
                  answer.error = reply.status().message();
              } else {
                  answer = read_admit_reply(*reply);
              }
              auto self = weak.lock();
              if (self && answer.answered && !answer.lease.empty())
                  self->leases.emplace(answer.lease, conc_key);
              done(std::move(answer));
          });
}

void RedisSharedCounters::settle(const security::SharedAsk& ask, const std::string& lease,
                                 int64_t used_tokens, double cost) {
    Impl& s = *impl_;
    if (!lease.empty()) s.leases.erase(lease);
    const bool counts_day = ask.tokens_per_day > 0 || ask.cost_per_day > 0;
    if (ask.tokens_per_minute <= 0 && lease.empty() && !counts_day) return;
    s.run(kSettle, {s.key(ask.key_id, "tpm"), s.key(ask.key_id, "conc"), s.key(ask.key_id, "day")},
          {std::to_string(ask.tokens_per_minute), std::to_string(ask.estimated_tokens),
           std::to_string(used_tokens), format_cost(cost), lease, counts_day ? "1" : "0"},
          [](core::Result<Reply>) {});
}

bool RedisSharedCounters::available() const {
    return impl_->client->ready();
}

std::string RedisSharedCounters::state() const {
    return impl_->client->state();
}

} // namespace edgeai::platform::native
