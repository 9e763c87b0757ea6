// Delivers durable jobs: claims waiting ones (highest priority, then oldest)
// while fewer than `concurrency` are out, sends each through the gateway's own
// request path (routes, fallback, breakers, the local engine; with the job id
// as Idempotency-Key, so a provider can tell a retry after a crash), and keeps
// the answer. A failure that may pass (no backend reachable, 408, 429, 5xx, a
// stream cut short) is retried later with exponential backoff up to
// max_attempts; any other answer ends the job. A job nothing can serve now
// (the uplink is down and its route has no local target, or every target's
// breaker is open) waits without spending an attempt. Once a job with a
// callback_url ends, its JSON is POSTed there (signed, x-edgeai-signature),
// retried with the same backoff until the receiver answers 2xx. Webhook calls
// share the `concurrency` slots fairly among API keys (queue/webhook_share.h)
// and each is cut at webhook_timeout_ms.
#pragma once

#include "core/clock.h"
#include "core/executor.h"
#include "core/http_client.h"
#include "gateway/gateway.h"
#include "queue/job_store.h"
#include "telemetry/metrics.h"

#include <cstdint>
#include <list>
#include <map>
#include <memory>

namespace edgeai::gateway {

struct JobRunnerOptions {
    size_t concurrency = 4;
    int64_t max_attempts = 5;
    int64_t backoff_base_ms = 1000;
    int64_t backoff_max_ms = 300000;
    int64_t poll_ms = 1000;
    int64_t expire_every_ms = 10000;
    // Webhooks (a job's callback_url) go out through this client, signed with
    // the secret when there is one; null: not sent.
    core::HttpClient* webhook_client = nullptr;
    std::string webhook_secret;
    // A call's whole time, connecting to the answer's last byte (a JobRunner
    // timer: the client's timeouts only bound each wait).
    int64_t webhook_timeout_ms = 10000;
    // Where refused store writes are reported; null: not logged.
    telemetry::Logger* logger = nullptr;
};

class JobRunner {
  public:
    JobRunner(Gateway& gateway, queue::JobStore& store, core::Executor& executor,
              const core::Clock& clock, telemetry::MetricsRegistry& metrics,
              JobRunnerOptions options);
    ~JobRunner();

    // Starts looking for jobs (now, then every poll_ms).
    void start();
    // A job was stored: look now rather than at the next poll.
    void wake();
    // No new deliveries; those under way go on (shutdown's grace period).
    void stop_claiming() { claiming_stopped_ = true; }
    // No new deliveries; those under way are put back in the queue (their
    // answers never arrived), so a clean shutdown delivers nothing twice.
    void stop();

    size_t running() const { return deliveries_.size(); }

    // The wait before attempt `attempts` + 1: base * 2^(attempts - 1), at
    // most max, less up to a fifth at random (so retries do not align).
    static int64_t backoff_ms(const JobRunnerOptions& options, int64_t attempts, uint64_t random);

  private:
    struct Delivery;
    class CaptureWriter;
    class Webhook;

    void poll_webhooks(int64_t now);
    void start_webhook(queue::Job job);
    void webhook_timed_out(uint64_t serial);
    void webhook_finished(Webhook* hook, bool delivered);

    void poll();
    void schedule_poll(int64_t delay_ms);
    void deliver(queue::Job job);
    void delivered(Delivery* delivery);
    void settle(std::list<std::unique_ptr<Delivery>>::iterator it);
    // A job's outcome written to the store; retried with backoff while the
    // store refuses (a full disk), and counted only once it is stored.
    using Write = std::function<void(queue::JobStore::Done)>;
    void store_outcome(std::string job_id, Write write, std::function<void()> stored,
                       std::function<void(int refusals)> refused = {}, int refusals = 0);
    void store_end(std::shared_ptr<queue::Job> job);
    // The random part of a backoff, from the gateway's Random port.
    uint64_t jitter();

    Gateway& gateway_;
    queue::JobStore& store_;
    core::Executor& executor_;
    const core::Clock& clock_;
    JobRunnerOptions options_;
    std::list<std::unique_ptr<Delivery>> deliveries_;
    std::list<std::unique_ptr<Webhook>> webhooks_;
    // The next try of each outcome the store refused, by job id.
    std::map<std::string, std::unique_ptr<core::Timer>, std::less<>> store_retries_;
    bool claiming_webhooks_ = false;
    uint64_t webhook_serial_ = 0;
    bool finalizing_ = false;
    std::unique_ptr<core::Timer> timer_;
    bool started_ = false;
    bool stopped_ = false;
    bool claiming_ = false;
    bool claiming_stopped_ = false;
    bool wake_pending_ = false;
    int64_t last_expire_ms_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    // The store's counts for /metrics, read at most once a second.
    const queue::QueueCounts& counts();
    queue::QueueCounts counts_;
    int64_t counts_read_ms_ = -1;
    telemetry::Counter* succeeded_;
    telemetry::Counter* retried_;
    telemetry::Counter* failed_;
    telemetry::Counter* held_; // claimed, but nothing could serve it yet
    telemetry::Counter* webhooks_sent_;
    telemetry::Counter* webhooks_failed_;
    telemetry::Counter* expired_;
    telemetry::Counter* store_refusals_;
};

} // namespace edgeai::gateway
