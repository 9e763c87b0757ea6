// Jinja's tests (`x is defined`, ...), the global functions a chat template
// may call (range, namespace, dict, raise_exception, strftime_now) and the
// time formatting strftime_now needs.
#include "engine/template/runtime.h"

#include <cstdio>

namespace edgeai::engine::tmpl {

core::Result<bool> apply_test(Runtime& rt, std::string_view name, const Value& input,
                              const Args& args) {
    EDGEAI_TRY(rt.spend(1));
    const Value* arg = args.get(0, "other");
    auto need_arg = [&]() -> core::Status {
        if (arg != nullptr) return {};
        return core::invalid_argument("test '" + std::string(name) + "' needs an argument");
    };
    if (name == "defined") return !input.is_undefined();
    if (name == "undefined") return input.is_undefined();
    if (name == "none") return input.is_none();
    if (name == "boolean") return input.is_bool();
    if (name == "true") return input.is_bool() && input.as_bool();
    if (name == "false") return input.is_bool() && !input.as_bool();
    if (name == "integer") return input.is_int();
    if (name == "float") return input.is_float();
    if (name == "number") return input.is_number();
    if (name == "string") return input.is_string();
    if (name == "mapping") return input.is_dict();
    // Python's sequences have len() and [], so strings and dicts count.
    if (name == "sequence") return input.is_string() || input.is_list() || input.is_dict();
    // Jinja's undefined can be iterated (as empty).
    if (name == "iterable") {
        return input.is_string() || input.is_list() || input.is_dict() || input.is_undefined();
    }
    if (name == "callable") return input.is_callable();
    if (name == "lower" || name == "upper") {
        if (!input.is_string()) return false;
        bool cased = false;
        for (char c : input.as_string()) {
            if (c >= 'a' && c <= 'z') {
                if (name == "upper") return false;
                cased = true;
            } else if (c >= 'A' && c <= 'Z') {
                if (name == "lower") return false;
                cased = true;
            }
        }
        return cased;
    }
    if (name == "odd" || name == "even" || name == "divisibleby") {
        if (!input.is_int() && !input.is_bool()) {
            return core::invalid_argument("test '" + std::string(name) + "' needs an integer");
        }
        if (name == "divisibleby") {
            EDGEAI_TRY(need_arg());
            if (!arg->is_int() || arg->as_int() == 0) {
                return core::invalid_argument("test 'divisibleby' needs a non-zero integer");
            }
            return input.as_int() % arg->as_int() == 0;
        }
        return (input.as_int() % 2 != 0) == (name == "odd");
    }
    if (name == "sameas") {
        EDGEAI_TRY(need_arg());
        if (input.kind() != arg->kind()) return false;
        if (input.is_none() || input.is_bool()) return equals(input, *arg);
        return input.is_namespace() && equals(input, *arg);
    }
    static constexpr std::pair<std::string_view, std::string_view> kComparisons[] = {
        {"eq", "=="}, {"equalto", "=="}, {"==", "=="},      {"ne", "!="},
        {"!=", "!="}, {"lt", "<"},       {"lessthan", "<"}, {"<", "<"},
        {"le", "<="}, {"<=", "<="},      {"gt", ">"},       {"greaterthan", ">"},
        {">", ">"},   {"ge", ">="},      {">=", ">="},      {"in", "in"}};
    for (const auto& [test, op] : kComparisons) {
        if (name != test) continue;
        EDGEAI_TRY(need_arg());
        return compare_op(op, input, *arg);
    }
    return core::not_found("unknown test '" + std::string(name) + "'");
}

bool is_global_function(std::string_view name) {
    return name == "range" || name == "namespace" || name == "dict" || name == "raise_exception" ||
           name == "strftime_now";
}

namespace {

core::Result<Value> range(Runtime& rt, const Args& args) {
    int64_t bounds[3] = {0, 0, 1};
    const size_t n = args.positional.size();
    if (n < 1 || n > 3 || !args.named.empty()) {
        return core::invalid_argument("range() takes 1 to 3 integer arguments");
    }
    for (size_t i = 0; i < n; ++i) {
        if (!args.positional[i].is_int() && !args.positional[i].is_bool()) {
            return core::invalid_argument("range() takes integers, not " +
                                          std::string(type_name(args.positional[i])));
        }
    }
    if (n == 1) {
        bounds[1] = args.positional[0].as_int();
    } else {
        bounds[0] = args.positional[0].as_int();
        bounds[1] = args.positional[1].as_int();
        if (n == 3) bounds[2] = args.positional[2].as_int();
    }
    const int64_t start = bounds[0];
    const int64_t stop = bounds[1];
    const int64_t step = bounds[2];
    if (step == 0) return core::invalid_argument("range() arg 3 must not be zero");
    // Counted in doubles first so that huge bounds cannot overflow.
    const double count =
        step > 0
            ? (static_cast<double>(stop) - static_cast<double>(start)) / static_cast<double>(step)
            : (static_cast<double>(start) - static_cast<double>(stop)) / static_cast<double>(-step);
    if (count > static_cast<double>(rt.limits().max_items)) {
        return rt.check_items(rt.limits().max_items + 1);
    }
    List items;
    for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
        items.push_back(Value::integer(i));
        if (__builtin_add_overflow(i, step, &i)) break;
    }
    EDGEAI_TRY(rt.check_items(items.size()));
    EDGEAI_TRY(rt.spend(items.size()));
    return Value::list(std::move(items));
}

// namespace(...) and dict(...): keyword arguments, after an optional dict
// whose members come first.
core::Result<Value> entries_from_args(const Args& args, std::string_view function, Dict* out) {
    if (args.positional.size() > 1) {
        return core::invalid_argument(std::string(function) + "() takes at most one positional "
                                                              "argument");
    }
    if (!args.positional.empty()) {
        if (!args.positional[0].is_dict()) {
            return core::invalid_argument(std::string(function) + "() takes a dict, not " +
                                          std::string(type_name(args.positional[0])));
        }
        *out = args.positional[0].as_dict();
    }
    for (const auto& [key, value] : args.named) {
        if (value.holds_namespace()) {
            return core::invalid_argument("a namespace cannot be stored in a namespace or dict");
        }
        out->emplace_back(key, value);
    }
    return Value();
}

} // namespace

core::Result<Value> call_global(Runtime& rt, std::string_view name, const Args& args) {
    EDGEAI_TRY(rt.spend(1));
    if (name == "range") return range(rt, args);
    if (name == "namespace" || name == "dict") {
        Dict entries;
        EDGEAI_ASSIGN_OR_RETURN(Value ignored, entries_from_args(args, name, &entries));
        (void)ignored;
        return name == "dict" ? Value::dict(std::move(entries))
                              : Value::name_space(std::move(entries));
    }
    if (name == "raise_exception") {
        const Value* message = args.get(0, "message");
        return core::invalid_argument("the chat template refused the conversation: " +
                                      (message != nullptr ? to_str(*message) : std::string()));
    }
    if (name == "strftime_now") {
        const Value* format = args.get(0, "format");
        if (format == nullptr || !format->is_string()) {
            return core::invalid_argument("strftime_now() needs a format string");
        }
        if (!rt.options().now) {
            return core::failed_precondition("strftime_now(): no clock was given to the renderer");
        }
        EDGEAI_ASSIGN_OR_RETURN(std::string text,
                                format_time(*rt.options().now, format->as_string()));
        return Value::string(std::move(text));
    }
    return core::not_found("unknown function '" + std::string(name) + "'");
}

core::Result<std::string> format_time(const DateTime& t, std::string_view format) {
    static constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                              "May",       "June",     "July",     "August",
                                              "September", "October",  "November", "December"};
    static constexpr const char* kDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};
    const int month = t.month >= 1 && t.month <= 12 ? t.month - 1 : 0;
    const int weekday = t.weekday >= 0 && t.weekday <= 6 ? t.weekday : 0;
    std::string out;
    char buf[16];
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%' || i + 1 == format.size()) {
            out += format[i];
            continue;
        }
        const char c = format[++i];
        switch (c) {
        case 'Y':
            std::snprintf(buf, sizeof buf, "%d", t.year);
            break;
        case 'y':
            std::snprintf(buf, sizeof buf, "%02d", t.year % 100);
            break;
        case 'm':
            std::snprintf(buf, sizeof buf, "%02d", t.month);
            break;
        case 'd':
            std::snprintf(buf, sizeof buf, "%02d", t.day);
            break;
        case 'e':
            std::snprintf(buf, sizeof buf, "%2d", t.day);
            break;
        case 'H':
            std::snprintf(buf, sizeof buf, "%02d", t.hour);
            break;
        case 'I':
            std::snprintf(buf, sizeof buf, "%02d", t.hour % 12 == 0 ? 12 : t.hour % 12);
            break;
        case 'M':
            std::snprintf(buf, sizeof buf, "%02d", t.minute);
            break;
        case 'S':
            std::snprintf(buf, sizeof buf, "%02d", t.second);
            break;
        case 'j':
            std::snprintf(buf, sizeof buf, "%03d", t.yearday);
            break;
        case 'p':
            std::snprintf(buf, sizeof buf, "%s", t.hour < 12 ? "AM" : "PM");
            break;
        case 'B':
            std::snprintf(buf, sizeof buf, "%s", kMonths[month]);
            break;
        case 'b':
            std::snprintf(buf, sizeof buf, "%.3s", kMonths[month]);
            break;
        case 'A':
            std::snprintf(buf, sizeof buf, "%s", kDays[weekday]);
            break;
        case 'a':
            std::snprintf(buf, sizeof buf, "%.3s", kDays[weekday]);
            break;
        case '%':
            std::snprintf(buf, sizeof buf, "%%");
            break;
        default:
            return core::invalid_argument(std::string("strftime_now(): unsupported format '%") + c +
                                          "'");
        }
        out += buf;
    }
    return out;
}

DateTime utc_from_unix_seconds(int64_t seconds) {
    int64_t days = seconds / 86400;
    int64_t rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    DateTime t;
    t.hour = static_cast<int>(rem / 3600);
    t.minute = static_cast<int>(rem % 3600 / 60);
    t.second = static_cast<int>(rem % 60);
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    t.weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);
    // Howard Hinnant's days-to-civil algorithm.
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    t.year = static_cast<int>(yoe + era * 400 + (t.month <= 2 ? 1 : 0));
    const bool leap = (t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0;
    static constexpr int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    t.yearday = kDaysBefore[t.month - 1] + t.day + (leap && t.month > 2 ? 1 : 0);
    return t;
}

} // namespace edgeai::engine::tmpl
