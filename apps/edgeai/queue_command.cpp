#include "queue_command.h"

#include "cli_output.h"

#include "core/duration.h"
#include "platform/native/storage/sqlite_job_store.h"
#include "platform/native/system/system_clock.h"

#include <cstdio>
#include <ctime>
#include <vector>

namespace edgeai::cli {
namespace {

namespace native = platform::native;
using queue::Job;

int print_job_or_fail(const core::Result<Job>& job) {
    if (!job.ok()) {
        print_error(job.status().message());
        return exit_code_for(job.status());
    }
    std::printf("%s\n", queue::job_json(*job).c_str());
    return kExitOk;
}

} // namespace

Command* add_queue_command(Command& app, QueueFlags& flags,
                           const std::function<void(Command*)>& add_common) {
    Command* q = app.add_subcommand("queue", "Inspect and manage the durable jobs (jobs.db)");
    q->require_subcommand();
    flags.ls = q->add_subcommand("ls", "List jobs, newest first");
    flags.ls->add_option("--status", flags.status,
                         "Only queued, running, succeeded, failed, cancelled or expired");
    flags.ls->add_option("--limit", flags.limit, "At most this many (default 50)");
    flags.ls->add_flag("--json", flags.json, "One job's JSON per line");
    flags.show = q->add_subcommand("show", "Print one job, with its answer once it has one");
    flags.show->add_option("ID", flags.id, "The job's id").required();
    flags.retry = q->add_subcommand("retry", "Put a failed, cancelled or expired job back");
    flags.retry->add_option("ID", flags.id, "The job's id").required();
    flags.cancel = q->add_subcommand("cancel", "Cancel a queued or running job");
    flags.cancel->add_option("ID", flags.id, "The job's id").required();
    flags.purge = q->add_subcommand("purge", "Delete jobs in one status, last changed long ago");
    flags.purge->add_option("--status", flags.status, "succeeded, failed, cancelled, ...")
        .required();
    flags.purge->add_option("--older-than", flags.older_than, "e.g. 7d, 24h, 30m").required();
    for (Command* sub : {flags.ls, flags.show, flags.retry, flags.cancel, flags.purge})
        add_common(sub);
    return q;
}

int run_queue_command(const QueueFlags& flags, const std::string& data_dir) {
    std::optional<queue::JobStatus> status;
    if (!flags.status.empty()) {
        status = queue::parse_job_status(flags.status);
        if (!status) {
            print_error("--status: '" + flags.status +
                        "' is not one of queued, running, succeeded, failed, cancelled, expired");
            return kExitUsage;
        }
    }
    int64_t older_than_ms = 0;
    if (flags.purge->parsed()) {
        auto d = core::parse_duration_ms(flags.older_than);
        if (!d.ok()) {
            print_error("--older-than: " + d.status().message());
            return kExitUsage;
        }
        older_than_ms = *d;
    }
    if (flags.ls->parsed() && (flags.limit < 1 || flags.limit > 100000)) {
        print_error("--limit: a whole number from 1 to 100000");
        return kExitUsage;
    }

    auto opened = native::SqliteJobStore::open_direct(data_dir);
    if (!opened.ok()) {
        if (opened.status().code() == core::StatusCode::kNotFound && flags.ls->parsed()) {
            std::printf("%s\n", opened.status().message().c_str());
            return kExitOk;
        }
        print_error(opened.status().message());
        return exit_code_for(opened.status());
    }
    native::SqliteJobStore& store = **opened;
    const int64_t now = native::SystemClock().unix_ms();

    if (flags.ls->parsed()) {
        queue::JobFilter filter;
        filter.status = status;
        filter.limit = static_cast<size_t>(flags.limit);
        auto jobs = store.list(filter);
        if (!jobs.ok()) {
            print_error(jobs.status().message());
            return kExitRuntime;
        }
        if (flags.json) {
            for (const Job& j : *jobs)
                std::printf("%s\n", queue::job_json(j).c_str());
            return kExitOk;
        }
        if (jobs->empty()) {
            std::printf("no jobs%s%s\n", status ? " " : "", flags.status.c_str());
            return kExitOk;
        }
        std::printf("%-28s  %-9s  %-19s  %8s  %-20s  %s\n", "id", "status", "created (UTC)",
                    "attempts", "model", "last error");
        for (const Job& j : *jobs) {
            std::printf("%-28s  %-9s  %-19s  %8lld  %-20s  %s\n", j.id.c_str(),
                        std::string(queue::job_status_name(j.status)).c_str(),
                        utc_time(j.created_ms).c_str(), static_cast<long long>(j.attempts),
                        j.model.c_str(), j.last_error.c_str());
        }
        return kExitOk;
    }
    if (flags.show->parsed()) {
        auto job = store.get(flags.id);
        if (!job.ok()) {
            print_error(job.status().message());
            return kExitRuntime;
        }
        if (!*job) {
            print_error("no job '" + flags.id + "'");
            return kExitUsage;
        }
        std::printf("%s\n", queue::job_json(**job).c_str());
        return kExitOk;
    }
    // The direct store runs each change in the call itself.
    if (flags.retry->parsed()) {
        int code = kExitRuntime;
        store.requeue(flags.id, now, [&](core::Result<Job> r) { code = print_job_or_fail(r); });
        return code;
    }
    if (flags.cancel->parsed()) {
        int code = kExitRuntime;
        store.cancel(flags.id, [&](core::Result<Job> r) { code = print_job_or_fail(r); });
        return code;
    }
    int code = kExitRuntime;
    store.purge(*status, now - older_than_ms, [&](core::Result<int64_t> n) {
        if (!n.ok()) {
            print_error(n.status().message());
            code = exit_code_for(n.status());
            return;
        }
        std::printf("purged %lld %s job(s) older than %s\n", static_cast<long long>(*n),
                    flags.status.c_str(), flags.older_than.c_str());
        code = kExitOk;
    });
    return code;
}

} // namespace edgeai::cli
