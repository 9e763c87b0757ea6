#include "telemetry/logger.h"

#include "codec/json/json_writer.h"
#include "telemetry/human_log.h"

#include <cstdio>

namespace edgeai::telemetry {

std::string format_utc_timestamp(int64_t unix_ms) {
    int64_t ms = unix_ms % 1000;
    int64_t secs = unix_ms / 1000;
    if (ms < 0) {
        ms += 1000;
        --secs;
    }
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
    char buf[128]; // generous: the compiler cannot prove the fields' widths
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem % 3600 / 60),
                  static_cast<long long>(rem % 60), static_cast<long long>(ms));
    return buf;
}

void Logger::log(core::LogLevel level, std::string_view msg,
                 std::initializer_list<LogField> fields) {
    if (!enabled(level)) return;
    if (format_ == LineFormat::kHuman) {
        sink_.write_line(human_log_line(clock_.unix_ms(), level, msg, fields));
        return;
    }
    codec::JsonWriter w;
    w.begin_object();
    w.field("ts", std::string_view(format_utc_timestamp(clock_.unix_ms())));
    w.field("level", core::log_level_name(level));
    w.field("msg", msg);
    for (const LogField& f : fields) {
        w.key(f.key);
        std::visit([&](auto v) { w.value(v); }, f.value);
    }
    w.end_object();
    sink_.write_line(w.str());
}

} // namespace edgeai::telemetry
