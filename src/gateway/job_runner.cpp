#include "gateway/job_runner.h"

#include "codec/json/json_document.h"
#include "gateway/exchange.h"

#include <algorithm>
#include <optional>

namespace edgeai::gateway {
namespace {

bool may_pass(int status) {
    return status == 0 || status == 408 || status == 429 || (status >= 500 && status <= 599);
}

// The job's key is over a limit that refills (requests or tokens per minute,
// concurrent requests), or the audit log cannot be written for now: the job
// waits its turn. Budgets, models and scopes do not refill soon: those fail
// the job.
bool waits_for_key(const core::Status& refusal) {
    const std::string_view code = refusal.error_code();
    return code == "rate_limit_exceeded" || code == "tokens_exceeded" ||
           code == "concurrency_limit_exceeded" || code == "audit_unavailable";
}

// The error message an answer carries (OpenAI's or Anthropic's shape).
std::string error_message(int status, std::string_view body) {
    auto doc = codec::JsonDocument::parse(body);
    if (doc.ok()) {
        std::string_view m = doc->root()["error"]["message"].as_string();
        if (!m.empty()) return "HTTP " + std::to_string(status) + ": " + std::string(m);
    }
    return "HTTP " + std::to_string(status);
}

} // namespace

// What the gateway answered, kept whole (a streamed answer as its events).
class JobRunner::CaptureWriter final : public ResponseWriter {
  public:
    explicit CaptureWriter(std::function<void()> on_end) : on_end_(std::move(on_end)) {}

    void send(core::HttpResponse response) override {
        status = response.status;
        body = std::move(response.body);
        end();
    }
    void start_stream(int s, core::Headers) override {
        status = s;
        streamed = true;
    }
    bool write(std::string_view bytes) override {
        body.append(bytes);
        return true;
    }
    void end_stream() override { end(); }
    void set_drain_callback(std::function<void()>) override {}
    void on_refused(const core::Status& why) override { refusal = why; }

    int status = 0;
    // Set when the gateway's access checks refused the delivery itself.
    std::optional<core::Status> refusal;
    bool streamed = false;
    bool ended = false;
    std::string body;

  private:
    void end() {
        if (ended) return;
        ended = true;
        on_end_();
    }
    std::function<void()> on_end_;
};

// One webhook call: the job's JSON to its callback_url.
class JobRunner::Webhook final : public core::HttpResponseObserver {
  public:
    Webhook(JobRunner& runner, queue::Job ended) : runner_(runner), job(std::move(ended)) {}

    void on_head(int status, const core::Headers&) override { status_ = status; }
    core::BodyAction on_data(std::string_view) override { return core::BodyAction::kContinue; }
    void on_complete(const core::Status& status) override {
        const bool ok = status.ok() && status_ >= 200 && status_ < 300;
        // Outside the call's own callback: the call is destroyed with this.
        std::weak_ptr<bool> alive = runner_.alive_;
        runner_.executor_.post([r = &runner_, alive, self = this, ok] {
            if (!alive.expired()) r->webhook_finished(self, ok);
        });
    }

    JobRunner& runner_;
    queue::Job job;
    std::unique_ptr<core::HttpCall> call;
    // Cuts the call at queue.webhook_timeout_ms, however it is going.
    std::unique_ptr<core::Timer> deadline;
    uint64_t serial = 0; // names this call to its deadline

  private:
    int status_ = 0;
};

struct JobRunner::Delivery {
    queue::Job job;
    std::unique_ptr<CaptureWriter> writer;
    std::unique_ptr<RequestTask> task; // after writer: destroyed first
};

JobRunner::JobRunner(Gateway& gateway, queue::JobStore& store, core::Executor& executor,
                     const core::Clock& clock, telemetry::MetricsRegistry& metrics,
                     JobRunnerOptions options)
    : gateway_(gateway), store_(store), executor_(executor), clock_(clock), options_(options) {
    constexpr std::string_view kHelp = "Job deliveries by outcome";
    succeeded_ = &metrics.counter("edgeai_job_deliveries_total", kHelp, {{"outcome", "succeeded"}});
    retried_ = &metrics.counter("edgeai_job_deliveries_total", kHelp, {{"outcome", "retried"}});
    failed_ = &metrics.counter("edgeai_job_deliveries_total", kHelp, {{"outcome", "failed"}});
    held_ = &metrics.counter("edgeai_job_deliveries_total", kHelp, {{"outcome", "held"}});
    constexpr std::string_view kHooks = "Webhook calls by outcome";
    webhooks_sent_ =
        &metrics.counter("edgeai_job_webhooks_total", kHooks, {{"outcome", "delivered"}});
    webhooks_failed_ =
        &metrics.counter("edgeai_job_webhooks_total", kHooks, {{"outcome", "failed"}});
    metrics.gauge_callback("edgeai_job_store_commits",
                           "Transactions (each one fsync) the job "
                           "store has committed: with the jobs stored, the fsyncs per job",
                           [this] { return static_cast<double>(store_.commits()); });
    expired_ = &metrics.counter("edgeai_jobs_expired_total", "Jobs that expired before delivery");
    store_refusals_ = &metrics.counter("edgeai_job_store_refusals_total",
                                       "Job outcomes the store refused to write (retried)");
    for (int i = 0; i < 6; ++i) {
        const auto status = static_cast<queue::JobStatus>(i);
        metrics.gauge_callback("edgeai_jobs", "Jobs in the queue's database by status",
                               [this, i] { return static_cast<double>(counts().by_status[i]); },
                               {{"status", queue::job_status_name(status)}});
    }
    metrics.gauge_callback("edgeai_jobs_oldest_queued_seconds",
                           "Age of the oldest job waiting for delivery (0: none waits)", [this] {
                               const int64_t oldest = counts().oldest_queued_ms;
                               if (oldest == 0) return 0.0;
                               return static_cast<double>(clock_.unix_ms() - oldest) / 1000;
                           });
}

const queue::QueueCounts& JobRunner::counts() {
    const int64_t now = clock_.unix_ms();
    if (counts_read_ms_ < 0 || now - counts_read_ms_ >= 1000) {
        counts_read_ms_ = now;
        auto read = store_.counts();
        if (read.ok()) counts_ = *read;
    }
    return counts_;
}

JobRunner::~JobRunner() {
    stop();
}

int64_t JobRunner::backoff_ms(const JobRunnerOptions& options, int64_t attempts, uint64_t random) {
    int64_t delay = options.backoff_base_ms;
    for (int64_t i = 1; i < attempts && delay < options.backoff_max_ms; ++i)
        delay *= 2;
    delay = std::min(delay, options.backoff_max_ms);
    return delay - static_cast<int64_t>(random % static_cast<uint64_t>(delay / 5 + 1));
}

uint64_t JobRunner::jitter() {
    return gateway_.random()->next_u64();
}

void JobRunner::start() {
    started_ = true;
    poll();
}

void JobRunner::stop() {
    if (stopped_) return;
    stopped_ = true;
    timer_.reset();
    store_retries_.clear();
    // Their answers never arrived: back to the queue, so the next start
    // delivers them once rather than finding them "running" and repeating.
    const int64_t now = clock_.unix_ms();
    for (const auto& d : deliveries_)
        store_.release(d->job.id, now, "interrupted by a shutdown", [](core::Status) {});
    deliveries_.clear();
    webhooks_.clear();
}

void JobRunner::wake() {
    if (!started_ || stopped_ || wake_pending_) return;
    wake_pending_ = true;
    std::weak_ptr<bool> alive = alive_;
    executor_.post([this, alive] {
        if (alive.expired()) return;
        wake_pending_ = false;
        poll();
    });
}

void JobRunner::schedule_poll(int64_t delay_ms) {
    std::weak_ptr<bool> alive = alive_;
    timer_ = executor_.post_after(delay_ms, [this, alive] {
        if (!alive.expired()) poll();
    });
}

void JobRunner::poll() {
    if (stopped_) return;
    if (claiming_) {
        // Look again later: returning without a timer would stop polling
        // (webhooks included) until something wakes the runner.
        schedule_poll(options_.poll_ms);
        return;
    }
    const int64_t now = clock_.unix_ms();
    std::weak_ptr<bool> alive = alive_;
    if (now - last_expire_ms_ >= options_.expire_every_ms) {
        last_expire_ms_ = now;
        store_.expire(now, [this, alive](core::Result<int64_t> n) {
            if (!alive.expired() && n.ok() && *n > 0) expired_->add(static_cast<uint64_t>(*n));
        });
    }
    schedule_poll(options_.poll_ms);
    if (!claiming_stopped_) poll_webhooks(now);
    if (!claiming_stopped_ && !finalizing_) {
        // Batches whose last job ended get their output and error files.
        finalizing_ = true;
        store_.finalize_batches(now, *gateway_.random(), [this, alive](core::Result<int64_t>) {
            if (!alive.expired()) finalizing_ = false;
        });
    }
    if (claiming_stopped_ || deliveries_.size() >= options_.concurrency) return;
    const size_t room = options_.concurrency - deliveries_.size();
    claiming_ = true;
    store_.claim(room, now, [this, alive, room](core::Result<std::vector<queue::Job>> jobs) {
        if (alive.expired()) return; // stays running on disk; recovered at the next start
        claiming_ = false;
        if (stopped_ || !jobs.ok()) return;
        for (queue::Job& job : *jobs)
            deliver(std::move(job));
        if (jobs->size() == room) wake(); // a full batch: more may be waiting
    });
}

void JobRunner::poll_webhooks(int64_t now) {
    if (options_.webhook_client == nullptr || claiming_webhooks_) return;
    queue::WebhookClaim claim;
    claim.slots = options_.concurrency;
    for (const auto& hook : webhooks_)
        ++claim.busy[hook->job.owner];
    if (claim.room() == 0) return;
    claiming_webhooks_ = true;
    std::weak_ptr<bool> alive = alive_;
    // A webhook claimed here is not due again until well after its deadline,
    // so a slow receiver is not called twice at once.
    const int64_t lease = options_.webhook_timeout_ms * 2 + options_.poll_ms;
    store_.claim_webhooks(claim, now, lease,
                          [this, alive](core::Result<std::vector<queue::Job>> jobs) {
                              if (alive.expired()) return;
                              claiming_webhooks_ = false;
                              if (stopped_ || !jobs.ok()) return;
                              for (queue::Job& job : *jobs)
                                  start_webhook(std::move(job));
                          });
}

void JobRunner::start_webhook(queue::Job job) {
    auto hook = std::make_unique<Webhook>(*this, std::move(job));
    Webhook* h = hook.get();
    core::HttpClientRequest request;
    request.method = "POST";
    request.url = h->job.callback_url;
    request.body = queue::job_json(h->job);
    request.first_byte_timeout_ms = options_.webhook_timeout_ms;
    request.idle_timeout_ms = options_.webhook_timeout_ms;
    request.headers.add("content-type", "application/json");
    request.headers.add("user-agent", "edgeai-webhook");
    request.headers.add("x-edgeai-job-id", h->job.id);
    if (!options_.webhook_secret.empty()) {
        request.headers.add("x-edgeai-signature",
                            queue::webhook_signature(options_.webhook_secret,
                                                     clock_.unix_ms() / 1000, request.body));
    }
    webhooks_.push_back(std::move(hook));
    auto call = options_.webhook_client->start(std::move(request), h);
    if (!call.ok()) {
        webhook_finished(h, false);
        return;
    }
    h->call = std::move(call).value();
    // The client's timeouts bound each silence, not the whole call: a
    // receiver that drips a byte now and then would hold its slot forever.
    std::weak_ptr<bool> alive = alive_;
    const uint64_t serial = h->serial = ++webhook_serial_;
    h->deadline = executor_.post_after(options_.webhook_timeout_ms, [this, alive, serial] {
        // Posted: finishing destroys this timer, which is running now. By
        // serial: the call may have ended (and its Webhook gone) meanwhile.
        executor_.post([this, alive, serial] {
            if (!alive.expired()) webhook_timed_out(serial);
        });
    });
}

void JobRunner::webhook_timed_out(uint64_t serial) {
    auto it = std::find_if(webhooks_.begin(), webhooks_.end(),
                           [serial](const auto& p) { return p->serial == serial; });
    if (it == webhooks_.end()) return;
    if (options_.logger != nullptr) {
        options_.logger->warn(
            "webhook call cut off at queue.webhook_timeout_ms",
            {{"job_id", (*it)->job.id}, {"timeout_ms", options_.webhook_timeout_ms}});
    }
    webhook_finished(it->get(), false);
}

void JobRunner::webhook_finished(Webhook* hook, bool delivered) {
    auto it = std::find_if(webhooks_.begin(), webhooks_.end(),
                           [hook](const auto& p) { return p.get() == hook; });
    if (it == webhooks_.end()) return;
    std::unique_ptr<Webhook> done = std::move(*it);
    webhooks_.erase(it);
    const queue::Job& job = done->job;
    const bool give_up = !delivered && job.webhook_attempts >= options_.max_attempts;
    if (delivered)
        webhooks_sent_->add();
    else if (give_up)
        webhooks_failed_->add();
    const int64_t now = clock_.unix_ms();
    store_.webhook_done(job.id, delivered, give_up,
                        now + backoff_ms(options_, job.webhook_attempts, jitter()), [](auto) {});
}

void JobRunner::deliver(queue::Job job) {
    if (!gateway_.can_deliver(job.model)) {
        // Nothing can take it now (the uplink is down, breakers are open):
        // it waits without spending an attempt, until it expires.
        held_->add();
        store_.release(job.id, clock_.unix_ms() + std::max<int64_t>(options_.backoff_base_ms, 1000),
                       "waiting: no backend for '" + job.model + "' is reachable now", [](auto) {});
        return;
    }
    auto delivery = std::make_unique<Delivery>();
    Delivery* d = delivery.get();
    d->job = std::move(job);
    std::weak_ptr<bool> alive = alive_;
    d->writer = std::make_unique<CaptureWriter>([this, alive, d] {
        // The writer ends inside the gateway's task: settle outside it.
        executor_.post([this, alive, d] {
            if (!alive.expired()) delivered(d);
        });
    });
    core::HttpRequest request;
    request.method = "POST";
    request.target = d->job.path;
    request.body = d->job.body;
    request.request_id = d->job.id;
    request.headers.add("content-type", "application/json");
    // Upstreams that honour it deduplicate a delivery repeated after a crash.
    request.headers.add("idempotency-key", d->job.id);
    request.peer = "job";
    // Checked again as the key that made it (scope, model, limits, budgets).
    request.internal = true;
    request.internal_key_id = d->job.owner;
    deliveries_.push_back(std::move(delivery));
    d->task = gateway_.handle(std::move(request), d->writer.get());
}

void JobRunner::delivered(Delivery* d) {
    auto it = std::find_if(deliveries_.begin(), deliveries_.end(),
                           [d](const auto& p) { return p.get() == d; });
    if (it == deliveries_.end()) return;
    settle(it);
}

void JobRunner::settle(std::list<std::unique_ptr<Delivery>>::iterator it) {
    std::unique_ptr<Delivery> d = std::move(*it);
    deliveries_.erase(it);
    d->task.reset();
    auto job = std::make_shared<queue::Job>(std::move(d->job));
    const CaptureWriter& w = *d->writer;
    const api::Endpoint endpoint = job->path == "/v1/messages"    ? api::Endpoint::kMessages
                                   : job->path == "/v1/responses" ? api::Endpoint::kResponses
                                                                  : api::Endpoint::kChatCompletions;
    const bool cut = w.streamed && !stream_completed(w.body, endpoint);
    const bool answered = w.status >= 200 && w.status < 300 && !cut;
    const int64_t now = clock_.unix_ms();
    const std::string id = job->id;
    if (w.refusal && waits_for_key(*w.refusal)) {
        // Not an attempt: nothing was sent anywhere.
        const int64_t at =
            now + std::max<int64_t>(w.refusal->retry_after_s() * 1000, options_.backoff_base_ms);
        const std::string why = "waiting: " + w.refusal->message();
        store_outcome(
            id, [this, id, at, why](auto done) { store_.release(id, at, why, std::move(done)); },
            [this] { held_->add(); });
        return;
    }
    const bool may_retry = (may_pass(w.status) || cut) && !w.refusal;
    const std::string error =
        answered ? std::string()
                 : (cut ? "the answer's stream was cut short" : error_message(w.status, w.body));
    if (!answered && may_retry && job->attempts < options_.max_attempts) {
        const int64_t at = now + backoff_ms(options_, job->attempts, jitter());
        store_outcome(
            id,
            [this, id, at, error](auto done) {
                store_.retry_later(id, at, error, std::move(done));
            },
            [this] { retried_->add(); });
        return;
    }
    job->status = answered ? queue::JobStatus::kSucceeded : queue::JobStatus::kFailed;
    job->result_status = w.status;
    job->result_body = w.body;
    job->updated_ms = now;
    job->last_error = error;
    if (!answered && may_retry)
        job->last_error += " (after " + std::to_string(job->attempts) + " attempts)";
    store_end(std::move(job));
}

void JobRunner::store_end(std::shared_ptr<queue::Job> job) {
    const std::string id = job->id;
    store_outcome(
        id, [this, job](auto done) { store_.finish(*job, std::move(done)); },
        [this, job] {
            (job->status == queue::JobStatus::kSucceeded ? succeeded_ : failed_)->add();
        },
        [this, job](int refusals) {
            // The answer itself may be what does not fit: after as many
            // refusals as attempts, the job ends failed with the reason and
            // without the answer, a write small enough to land first.
            if (refusals < options_.max_attempts || job->result_body.empty()) return;
            job->status = queue::JobStatus::kFailed;
            job->last_error = "its answer (HTTP " + std::to_string(job->result_status) + ", " +
                              std::to_string(job->result_body.size()) +
                              " bytes) could not be stored";
            job->result_body.clear();
            job->result_status = 0;
        });
}

void JobRunner::store_outcome(std::string job_id, Write write, std::function<void()> stored,
                              std::function<void(int)> refused, int refusals) {
    std::weak_ptr<bool> alive = alive_;
    write([this, alive, job_id, write, stored, refused, refusals](core::Status status) {
        if (alive.expired() || stopped_) return;
        if (status.ok()) {
            stored();
            wake(); // a finished job with a webhook is due at once
            return;
        }
        // Never ignored: the job stays "running" on disk until this lands,
        // and counts nothing until then.
        store_refusals_->add();
        const int n = refusals + 1;
        if (options_.logger != nullptr) {
            options_.logger->warn(
                "job store refused a job's outcome; retrying",
                {{"job_id", job_id}, {"refusals", n}, {"error", status.message()}});
        }
        if (refused) refused(n);
        const int64_t delay = backoff_ms(options_, n, jitter());
        store_retries_[job_id] =
            executor_.post_after(delay, [this, alive, job_id, write, stored, refused, n] {
                if (alive.expired() || stopped_) return;
                // The timer that is running is released after it returns.
                executor_.post([this, alive, job_id, write, stored, refused, n] {
                    if (alive.expired() || stopped_) return;
                    store_retries_.erase(job_id);
                    store_outcome(job_id, write, stored, refused, n);
                });
            });
    });
}

} // namespace edgeai::gateway
