// SharedCounters kept in Redis (limits.backend = "redis"): each admission is
// one EVALSHA of the admit script, each finished request one of the settle
// script, and a timer renews the leases of requests still running.
#pragma once

#include "core/config/settings.h"
#include "platform/native/http/event_loop.h"
#include "security/shared_counters.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <memory>

namespace edgeai::platform::native {

class RedisSharedCounters final : public security::SharedCounters {
  public:
    // `settings.redis_url` must parse (the config check made sure).
    static core::Result<std::unique_ptr<RedisSharedCounters>>
    create(EventLoop& loop, const core::LimitsSettings& settings, telemetry::Logger& logger,
           telemetry::MetricsRegistry& metrics, std::string replica_id);
    ~RedisSharedCounters() override;

    void admit(const security::SharedAsk& ask, security::SharedAnswerFn done) override;
    void settle(const security::SharedAsk& ask, const std::string& lease, int64_t used_tokens,
                double cost) override;
    bool available() const override;
    std::string state() const override;

    struct Impl;

  private:
    explicit RedisSharedCounters(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

} // namespace edgeai::platform::native
