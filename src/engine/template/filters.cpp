// Jinja's filters as chat templates use them, with Hugging Face's tojson.
#include "engine/template/py_string.h"
#include "engine/template/runtime.h"
#include "engine/template/value_json.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace edgeai::engine::tmpl {

namespace {

core::Status bad_argument(std::string_view filter, const std::string& what) {
    return core::invalid_argument("filter '" + std::string(filter) + "': " + what);
}

bool flag(const Args& args, size_t index, std::string_view name, bool fallback) {
    const Value* v = args.get(index, name);
    return v != nullptr ? truthy(*v) : fallback;
}

// The attribute a filter's attribute= argument names; dots go deeper
// ("function.name"), and digits index lists, as Jinja's make_attrgetter does.
core::Result<Value> attribute_path(const Value& item, const std::string& path) {
    Value v = item;
    size_t start = 0;
    while (start <= path.size()) {
        size_t dot = path.find('.', start);
        if (dot == std::string::npos) dot = path.size();
        const std::string part = path.substr(start, dot - start);
        const bool digits =
            !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        if (digits) {
            EDGEAI_ASSIGN_OR_RETURN(v, get_item(v, Value::integer(std::atoll(part.c_str()))));
        } else {
            EDGEAI_ASSIGN_OR_RETURN(v, get_item(v, Value::string(part)));
        }
        if (v.is_undefined()) return v;
        start = dot + 1;
    }
    return v;
}

core::Result<Value> join(Runtime& rt, const Value& input, const Args& args) {
    EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
    const Value* sep = args.get(0, "d");
    const Value* attribute = args.get(1, "attribute");
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0 && sep != nullptr) out += to_str(*sep);
        Value item = items[i];
        if (attribute != nullptr) {
            EDGEAI_ASSIGN_OR_RETURN(item, attribute_path(item, to_str(*attribute)));
        }
        out += to_str(item);
        EDGEAI_TRY(rt.check_string(out.size()));
    }
    EDGEAI_TRY(rt.spend(items.size()));
    return Value::string(std::move(out));
}

core::Result<Value> tojson(Runtime& rt, const Value& input, const Args& args) {
    JsonDumpOptions options;
    if (const Value* indent = args.get(0, "indent"); indent != nullptr && !indent->is_none()) {
        if (!indent->is_int() || indent->as_int() < 0 || indent->as_int() > 16) {
            return bad_argument("tojson", "indent must be an integer from 0 to 16");
        }
        options.indent = static_cast<int>(indent->as_int());
    }
    options.sort_keys = flag(args, 99, "sort_keys", false);
    options.ensure_ascii = flag(args, 99, "ensure_ascii", false);
    if (const Value* seps = args.get(99, "separators"); seps != nullptr && !seps->is_none()) {
        if (!seps->is_list() || seps->as_list().size() != 2 || !seps->as_list()[0].is_string() ||
            !seps->as_list()[1].is_string()) {
            return bad_argument("tojson", "separators must be two strings");
        }
        options.item_separator = seps->as_list()[0].as_string();
        options.key_separator = seps->as_list()[1].as_string();
    }
    EDGEAI_ASSIGN_OR_RETURN(std::string json,
                            dump_json(input, options, rt.limits().max_output_bytes));
    EDGEAI_TRY(rt.spend(json.size() / 64 + 1));
    return Value::string(std::move(json));
}

// select/reject (a test on each item) and selectattr/rejectattr (a test on
// an attribute of each); without a test, the value's truth.
core::Result<Value> select(Runtime& rt, std::string_view name, const Value& input,
                           const Args& args) {
    const bool by_attribute = name == "selectattr" || name == "rejectattr";
    const bool keep = name == "select" || name == "selectattr";
    EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
    size_t next = 0;
    std::string attribute;
    if (by_attribute) {
        if (args.positional.empty() || !args.positional[0].is_string()) {
            return bad_argument(name, "needs an attribute name");
        }
        attribute = args.positional[0].as_string();
        next = 1;
    }
    std::string test;
    Args test_args;
    if (next < args.positional.size()) {
        if (!args.positional[next].is_string())
            return bad_argument(name, "the test must be a name");
        test = args.positional[next].as_string();
        test_args.positional.assign(args.positional.begin() + static_cast<long>(next) + 1,
                                    args.positional.end());
    }
    List out;
    for (const Value& item : items) {
        EDGEAI_TRY(rt.spend(1));
        Value subject = item;
        if (by_attribute) {
            EDGEAI_ASSIGN_OR_RETURN(subject, attribute_path(item, attribute));
        }
        bool passed = false;
        if (test.empty()) {
            passed = truthy(subject);
        } else {
            EDGEAI_ASSIGN_OR_RETURN(passed, apply_test(rt, test, subject, test_args));
        }
        if (passed == keep) out.push_back(item);
    }
    return Value::list(std::move(out));
}

core::Result<Value> map(Runtime& rt, const Value& input, const Args& args) {
    EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
    List out;
    out.reserve(items.size());
    if (const Value* attribute = args.get(99, "attribute")) {
        const Value* fallback = args.get(99, "default");
        for (const Value& item : items) {
            EDGEAI_TRY(rt.spend(1));
            EDGEAI_ASSIGN_OR_RETURN(Value v, attribute_path(item, to_str(*attribute)));
            out.push_back(v.is_undefined() && fallback != nullptr ? *fallback : v);
        }
        return Value::list(std::move(out));
    }
    if (args.positional.empty() || !args.positional[0].is_string()) {
        return bad_argument("map", "needs a filter name or attribute=");
    }
    Args filter_args;
    filter_args.positional.assign(args.positional.begin() + 1, args.positional.end());
    filter_args.named = args.named;
    for (const Value& item : items) {
        EDGEAI_TRY(rt.spend(1));
        EDGEAI_ASSIGN_OR_RETURN(
            Value v, apply_filter(rt, args.positional[0].as_string(), item, filter_args));
        out.push_back(std::move(v));
    }
    return Value::list(std::move(out));
}

core::Result<Value> sort(Runtime& rt, const Value& input, const Args& args) {
    EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
    const bool reverse = flag(args, 0, "reverse", false);
    const bool case_sensitive = flag(args, 1, "case_sensitive", false);
    const Value* attribute = args.get(2, "attribute");
    std::vector<std::pair<Value, Value>> keyed;
    for (const Value& item : items) {
        Value key = item;
        if (attribute != nullptr) {
            EDGEAI_ASSIGN_OR_RETURN(key, attribute_path(item, to_str(*attribute)));
        }
        if (key.is_string() && !case_sensitive) key = Value::string(py_lower(key.as_string()));
        keyed.emplace_back(std::move(key), item);
    }
    EDGEAI_TRY(rt.spend(items.size() * 8 + 1));
    // Insertion into a stable order with fallible comparisons (no exceptions
    // to leave std::sort with).
    std::vector<std::pair<Value, Value>> sorted;
    for (auto& entry : keyed) {
        size_t lo = 0;
        size_t hi = sorted.size();
        while (lo < hi) {
            const size_t mid = (lo + hi) / 2;
            EDGEAI_ASSIGN_OR_RETURN(int c, compare_values(entry.first, sorted[mid].first));
            if (reverse) c = -c;
            if (c < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
        sorted.insert(sorted.begin() + static_cast<long>(lo), std::move(entry));
    }
    List out;
    for (auto& entry : sorted)
        out.push_back(std::move(entry.second));
    return Value::list(std::move(out));
}

core::Result<Value> to_int(const Value& input, const Args& args) {
    const Value* fallback = args.get(0, "default");
    const Value def = fallback != nullptr ? *fallback : Value::integer(0);
    if (input.is_int() || input.is_bool()) return Value::integer(input.as_int());
    if (input.is_float()) {
        const double d = input.as_float();
        if (!(d > -9.2e18 && d < 9.2e18)) return def;
        return Value::integer(static_cast<int64_t>(d));
    }
    if (input.is_string()) {
        const std::string s(py_strip(input.as_string(), std::nullopt, true, true));
        char* end = nullptr;
        const long long i = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end == s.c_str() + s.size()) return Value::integer(i);
        const double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end == s.c_str() + s.size() && d > -9.2e18 && d < 9.2e18) {
            return Value::integer(static_cast<int64_t>(d));
        }
    }
    return def;
}

core::Result<Value> to_float(const Value& input, const Args& args) {
    const Value* fallback = args.get(0, "default");
    const Value def = fallback != nullptr ? *fallback : Value::number(0.0);
    if (input.is_number()) return Value::number(input.as_float());
    if (input.is_string()) {
        const std::string s(py_strip(input.as_string(), std::nullopt, true, true));
        char* end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end == s.c_str() + s.size()) return Value::number(d);
    }
    return def;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&#34;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

core::Result<Value> indent(Runtime& rt, const Value& input, const Args& args) {
    const Value* width_arg = args.get(0, "width");
    std::string pad = "    ";
    if (width_arg != nullptr && width_arg->is_string()) pad = width_arg->as_string();
    if (width_arg != nullptr && width_arg->is_int()) {
        if (width_arg->as_int() < 0 || width_arg->as_int() > 256) {
            return bad_argument("indent", "width must be from 0 to 256");
        }
        pad.assign(static_cast<size_t>(width_arg->as_int()), ' ');
    }
    const bool first = flag(args, 1, "first", false);
    const bool blank = flag(args, 2, "blank", false);
    const std::string s = to_str(input);
    std::string out;
    std::vector<std::string> lines = py_split(s, std::string("\n"), -1);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) out += '\n';
        if ((i > 0 || first) && (blank || !lines[i].empty())) out += pad;
        out += lines[i];
        EDGEAI_TRY(rt.check_string(out.size()));
    }
    return Value::string(std::move(out));
}

core::Result<Value> min_max(const Value& input, bool want_max) {
    EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
    if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
    Value best = items[0];
    for (size_t i = 1; i < items.size(); ++i) {
        EDGEAI_ASSIGN_OR_RETURN(const int c, compare_values(items[i], best));
        if (want_max ? c > 0 : c < 0) best = items[i];
    }
    return best;
}

} // namespace

core::Result<Value> apply_filter(Runtime& rt, std::string_view name, const Value& input,
                                 const Args& args) {
    EDGEAI_TRY(rt.spend(1));
    if (name == "tojson") return tojson(rt, input, args);
    if (name == "trim") {
        const Value* chars = args.get(0, "chars");
        std::optional<std::string> set;
        if (chars != nullptr && chars->is_string()) set = chars->as_string();
        return Value::string(std::string(py_strip(to_str(input), set, true, true)));
    }
    if (name == "length" || name == "count") {
        if (input.is_string())
            return Value::integer(static_cast<int64_t>(code_point_count(input.as_string())));
        if (input.is_list()) return Value::integer(static_cast<int64_t>(input.as_list().size()));
        if (input.is_dict()) return Value::integer(static_cast<int64_t>(input.as_dict().size()));
        if (input.is_undefined()) return Value::integer(0);
        return core::invalid_argument("object of type '" + std::string(type_name(input)) +
                                      "' has no len()");
    }
    if (name == "upper") return Value::string(py_upper(to_str(input)));
    if (name == "lower") return Value::string(py_lower(to_str(input)));
    if (name == "title") return Value::string(py_title(to_str(input)));
    if (name == "capitalize") return Value::string(py_capitalize(to_str(input)));
    if (name == "string") return input.is_string() ? input : Value::string(to_str(input));
    if (name == "safe") return input;
    if (name == "escape" || name == "e") return Value::string(html_escape(to_str(input)));
    if (name == "items") {
        if (input.is_undefined()) return Value::list({});
        if (!input.is_dict()) return bad_argument("items", "can only process mappings");
        Args none;
        return call_method(rt, input, "items", none);
    }
    if (name == "dictsort") {
        if (!input.is_dict()) return bad_argument("dictsort", "can only sort mappings");
        Args none;
        EDGEAI_ASSIGN_OR_RETURN(Value items, call_method(rt, input, "items", none));
        Args by_key;
        by_key.positional = {Value::boolean(flag(args, 1, "reverse", false)),
                             Value::boolean(flag(args, 0, "case_sensitive", false)),
                             Value::string("0")};
        return sort(rt, items, by_key);
    }
    if (name == "join") return join(rt, input, args);
    if (name == "default" || name == "d") {
        const bool boolean = flag(args, 1, "boolean", false);
        if (input.is_undefined() || (boolean && !truthy(input))) {
            const Value* fallback = args.get(0, "default_value");
            return fallback != nullptr ? *fallback : Value::string("");
        }
        return input;
    }
    if (name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr") {
        return select(rt, name, input, args);
    }
    if (name == "map") return map(rt, input, args);
    if (name == "first" || name == "last") {
        EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
        if (items.empty())
            return Value::undefined("No " + std::string(name) + " item, sequence was empty.");
        return name == "first" ? items.front() : items.back();
    }
    if (name == "list") {
        EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
        EDGEAI_TRY(rt.check_items(items.size()));
        return Value::list(std::move(items));
    }
    if (name == "unique") {
        EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
        EDGEAI_TRY(rt.spend(items.size() * items.size() / 16 + 1));
        List out;
        for (const Value& item : items) {
            bool seen = false;
            for (const Value& kept : out)
                seen = seen || equals(kept, item);
            if (!seen) out.push_back(item);
        }
        return Value::list(std::move(out));
    }
    if (name == "reverse") {
        if (input.is_string()) {
            const std::vector<size_t> offsets = code_point_offsets(input.as_string());
            std::string out;
            for (size_t i = offsets.size() - 1; i > 0; --i) {
                out += input.as_string().substr(offsets[i - 1], offsets[i] - offsets[i - 1]);
            }
            return Value::string(std::move(out));
        }
        EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
        std::reverse(items.begin(), items.end());
        return Value::list(std::move(items));
    }
    if (name == "sort") return sort(rt, input, args);
    if (name == "min" || name == "max") return min_max(input, name == "max");
    if (name == "sum") {
        EDGEAI_ASSIGN_OR_RETURN(List items, iterate(input));
        const Value* attribute = args.get(0, "attribute");
        const Value* start = args.get(1, "start");
        Value total = start != nullptr ? *start : Value::integer(0);
        for (const Value& item : items) {
            Value v = item;
            if (attribute != nullptr) {
                EDGEAI_ASSIGN_OR_RETURN(v, attribute_path(item, to_str(*attribute)));
            }
            EDGEAI_ASSIGN_OR_RETURN(total, binary_op(rt, "+", total, v));
        }
        return total;
    }
    if (name == "replace") {
        const Value* old = args.get(0, "old");
        const Value* replacement = args.get(1, "new");
        if (old == nullptr || replacement == nullptr) {
            return bad_argument("replace", "needs the old and new text");
        }
        Args method_args;
        method_args.positional = {Value::string(to_str(*old)), Value::string(to_str(*replacement))};
        if (const Value* count = args.get(2, "count"); count != nullptr && !count->is_none()) {
            method_args.positional.push_back(*count);
        }
        return call_method(rt, Value::string(to_str(input)), "replace", method_args);
    }
    if (name == "int") return to_int(input, args);
    if (name == "float") return to_float(input, args);
    if (name == "abs") {
        if (input.is_float()) return Value::number(std::fabs(input.as_float()));
        if (input.is_int() || input.is_bool()) {
            if (input.as_int() == INT64_MIN) return core::invalid_argument("integer overflow");
            return Value::integer(input.as_int() < 0 ? -input.as_int() : input.as_int());
        }
        return bad_argument("abs", "needs a number");
    }
    if (name == "round") {
        if (!input.is_number()) return bad_argument("round", "needs a number");
        const Value* precision = args.get(0, "precision");
        const int64_t digits =
            precision != nullptr && precision->is_int() ? precision->as_int() : 0;
        if (digits < 0 || digits > 15) return bad_argument("round", "precision must be 0 to 15");
        const double scale = std::pow(10.0, static_cast<double>(digits));
        return Value::number(std::round(input.as_float() * scale) / scale);
    }
    if (name == "indent") return indent(rt, input, args);
    if (name == "attr") {
        const Value* attribute = args.get(0, "name");
        if (attribute == nullptr || !attribute->is_string())
            return bad_argument("attr", "needs a name");
        return get_attribute(input, attribute->as_string());
    }
    if (name == "wordcount") {
        return Value::integer(
            static_cast<int64_t>(py_split(to_str(input), std::nullopt, -1).size()));
    }
    return core::not_found("unknown filter '" + std::string(name) + "'");
}

} // namespace edgeai::engine::tmpl
