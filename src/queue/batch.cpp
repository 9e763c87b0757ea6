#include "queue/batch.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/id_maker.h"

#include <set>

namespace edgeai::queue {
namespace {

void nullable_time(codec::JsonWriter& w, std::string_view name, int64_t ms) {
    w.key(name);
    if (ms == 0)
        w.null();
    else
        w.value(ms / 1000);
}

void nullable_string(codec::JsonWriter& w, std::string_view name, const std::string& s) {
    w.key(name);
    if (s.empty())
        w.null();
    else
        w.value(std::string_view(s));
}

void line_error(codec::JsonWriter& w, size_t line, std::string_view message) {
    w.begin_object()
        .field("code", "invalid_request")
        .field("message", message)
        .key("param")
        .null()
        .field("line", static_cast<int64_t>(line))
        .end_object();
}

} // namespace

std::string_view batch_status_name(BatchStatus status) {
    static constexpr std::string_view kNames[] = {"validating", "failed",    "in_progress",
                                                  "finalizing", "completed", "expired",
                                                  "cancelling", "cancelled"};
    return kNames[static_cast<size_t>(status)];
}

std::string file_json(const StoredFile& file) {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", std::string_view(file.id))
        .field("object", "file")
        .field("bytes", file.bytes)
        .field("created_at", file.created_ms / 1000)
        .field("filename", std::string_view(file.filename))
        .field("purpose", std::string_view(file.purpose))
        .field("status", "processed")
        .key("status_details")
        .null()
        .end_object();
    return w.take();
}

std::string batch_json(const Batch& b) {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", std::string_view(b.id))
        .field("object", "batch")
        .field("endpoint", std::string_view(b.endpoint));
    w.key("errors");
    if (b.errors_json.empty())
        w.null();
    else
        w.raw(b.errors_json);
    w.field("input_file_id", std::string_view(b.input_file_id))
        .field("completion_window", std::string_view(b.completion_window))
        .field("status", batch_status_name(b.status));
    nullable_string(w, "output_file_id", b.output_file_id);
    nullable_string(w, "error_file_id", b.error_file_id);
    w.field("created_at", b.created_ms / 1000);
    nullable_time(w, "in_progress_at", b.in_progress_ms);
    nullable_time(w, "expires_at", b.expires_ms);
    nullable_time(w, "finalizing_at", b.finalizing_ms);
    nullable_time(w, "completed_at", b.completed_ms);
    nullable_time(w, "failed_at", b.failed_ms);
    nullable_time(w, "expired_at", b.expired_ms);
    nullable_time(w, "cancelling_at", b.cancelling_ms);
    nullable_time(w, "cancelled_at", b.cancelled_ms);
    w.key("request_counts")
        .begin_object()
        .field("total", b.total)
        .field("completed", b.completed)
        .field("failed", b.failed)
        .end_object();
    w.key("metadata");
    if (b.metadata_json.empty())
        w.null();
    else
        w.raw(b.metadata_json);
    w.end_object();
    return w.take();
}

BatchPlan plan_batch(const Batch& batch, std::string_view jsonl, core::Random& random,
                     int64_t now_ms, int64_t ttl_ms, const ModelCheck& refuse_model,
                     size_t max_lines) {
    BatchPlan plan;
    codec::JsonWriter errors;
    errors.begin_object().field("object", "list").key("data").begin_array();
    size_t bad = 0;
    std::set<std::string, std::less<>> custom_ids;
    size_t line_no = 0;
    size_t requests = 0;
    size_t pos = 0;
    while (pos < jsonl.size()) {
        size_t eol = jsonl.find('\n', pos);
        if (eol == std::string_view::npos) eol = jsonl.size();
        std::string_view line = jsonl.substr(pos, eol - pos);
        pos = eol + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        auto fail = [&](std::string_view message) {
            if (bad++ < 100) line_error(errors, line_no, message);
        };
        if (++requests > max_lines) {
            fail("the input file holds more than " + std::to_string(max_lines) +
                 " requests, the most one batch may hold (queue.max_batch_lines)");
            plan.jobs.clear();
            break;
        }
        auto doc = codec::JsonDocument::parse(line);
        if (!doc.ok() || !doc->root().is_object()) {
            fail("the line is not a JSON object");
            continue;
        }
        codec::JsonValue r = doc->root();
        std::string_view custom_id = r["custom_id"].as_string();
        if (custom_id.empty()) {
            fail("custom_id must be a non-empty string");
            continue;
        }
        if (custom_ids.count(custom_id) != 0) {
            fail("custom_id '" + std::string(custom_id) + "' appears more than once");
            continue;
        }
        custom_ids.emplace(custom_id);
        if (r["method"].as_string() != "POST") {
            fail("method must be \"POST\"");
            continue;
        }
        if (r["url"].as_string() != batch.endpoint) {
            fail("url must be the batch's endpoint, " + batch.endpoint);
            continue;
        }
        if (!r["body"].is_object()) {
            fail("body must be a JSON object");
            continue;
        }
        const std::string_view model = r["body"]["model"].as_string();
        if (refuse_model) {
            if (std::string why = refuse_model(model); !why.empty()) {
                fail(why);
                continue;
            }
        }
        Job job;
        job.id = core::make_id(core::IdKind::kJob, random);
        job.path = batch.endpoint;
        codec::JsonWriter body;
        codec::write_json_value(body, r["body"]);
        job.body = body.take();
        job.model = std::string(model);
        job.batch_id = batch.id;
        job.custom_id = std::string(custom_id);
        job.created_ms = now_ms;
        job.updated_ms = now_ms;
        job.run_after_ms = now_ms;
        job.expires_ms = now_ms + ttl_ms;
        plan.jobs.push_back(std::move(job));
    }
    if (bad == 0 && plan.jobs.empty()) {
        line_error(errors, 0, "the input file holds no requests");
        bad = 1;
    }
    errors.end_array().end_object();
    if (bad > 0) {
        plan.jobs.clear();
        plan.errors_json = errors.take();
    }
    return plan;
}

std::string batch_output_line(const Job& job) {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", "batch_req_" + job.id.substr(4))
        .field("custom_id", std::string_view(job.custom_id));
    w.key("response").begin_object().field("status_code", static_cast<int64_t>(job.result_status));
    w.field("request_id", std::string_view(job.id)).key("body");
    if (codec::is_valid_json(job.result_body))
        w.raw(job.result_body);
    else
        w.value(std::string_view(job.result_body));
    w.end_object().key("error").null().end_object();
    return w.take();
}

std::string batch_error_line(const Job& job) {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", "batch_req_" + job.id.substr(4))
        .field("custom_id", std::string_view(job.custom_id));
    w.key("response");
    if (job.result_status != 0) {
        w.begin_object()
            .field("status_code", static_cast<int64_t>(job.result_status))
            .field("request_id", std::string_view(job.id))
            .key("body");
        if (codec::is_valid_json(job.result_body))
            w.raw(job.result_body);
        else
            w.value(std::string_view(job.result_body));
        w.end_object();
    } else {
        w.null();
    }
    w.key("error")
        .begin_object()
        .field("code", job_status_name(job.status))
        .field("message",
               std::string_view(job.last_error.empty() ? std::string(job_status_name(job.status))
                                                       : job.last_error))
        .end_object();
    w.end_object();
    return w.take();
}

} // namespace edgeai::queue
