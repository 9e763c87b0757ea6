// Attribute and item lookup, Python's operators and iteration.
#include "engine/template/py_string.h"
#include "engine/template/runtime.h"

#include <cmath>
#include <limits>

namespace edgeai::engine::tmpl {

const Value* Args::get(size_t index, std::string_view name) const {
    if (index < positional.size()) return &positional[index];
    for (const auto& [key, value] : named) {
        if (key == name) return &value;
    }
    return nullptr;
}

core::Status undefined_error(const Value& v) {
    return core::invalid_argument(v.undefined_name().empty() ? "a value is undefined"
                                                             : v.undefined_name());
}

namespace {

Value bound_method(const Value& self, std::string_view name) {
    auto c = std::make_shared<Callable>();
    c->kind = Callable::Kind::kMethod;
    c->name = std::string(name);
    c->self = self;
    return Value::callable(std::move(c));
}

Value no_attribute(const Value& object, std::string_view name) {
    return Value::undefined("'" + std::string(type_name(object)) + " object' has no attribute '" +
                            std::string(name) + "'");
}

} // namespace

core::Result<Value> get_attribute(const Value& object, std::string_view name) {
    if (object.is_undefined()) return undefined_error(object);
    // Python finds a dict's methods before its items, as Jinja's getattr does.
    if (has_method(object, name)) return bound_method(object, name);
    if (const Value* member = object.find(name)) return *member;
    return no_attribute(object, name);
}

core::Result<Value> get_item(const Value& object, const Value& key) {
    if (object.is_undefined()) return undefined_error(object);
    if ((object.is_list() || object.is_string()) && (key.is_int() || key.is_bool())) {
        int64_t i = key.as_int();
        if (object.is_list()) {
            const int64_t n = static_cast<int64_t>(object.as_list().size());
            if (i < 0) i += n;
            if (i < 0 || i >= n) return Value::undefined("list index out of range");
            return object.as_list()[static_cast<size_t>(i)];
        }
        const std::string& s = object.as_string();
        const std::vector<size_t> offsets = code_point_offsets(s);
        const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined("string index out of range");
        const size_t at = offsets[static_cast<size_t>(i)];
        return Value::string(s.substr(at, offsets[static_cast<size_t>(i) + 1] - at));
    }
    if (key.is_string()) {
        if (const Value* member = object.find(key.as_string())) return *member;
        if (has_method(object, key.as_string())) return get_attribute(object, key.as_string());
        return Value::undefined("'" + std::string(type_name(object)) + " object' has no " +
                                (object.is_dict() ? "key '" : "attribute '") + key.as_string() +
                                "'");
    }
    return Value::undefined("'" + std::string(type_name(object)) + " object' has no item " +
                            to_str(key));
}

namespace {

core::Status type_error(std::string_view op, const Value& a, const Value& b) {
    return core::invalid_argument("unsupported operand types for " + std::string(op) + ": '" +
                                  std::string(type_name(a)) + "' and '" +
                                  std::string(type_name(b)) + "'");
}

core::Result<Value> repeat(Runtime& rt, const Value& seq, int64_t times) {
    if (times < 0) times = 0;
    if (seq.is_string()) {
        const size_t size = seq.as_string().size();
        if (size > 0 && static_cast<uint64_t>(times) > rt.limits().max_output_bytes / size) {
            return rt.check_string(rt.limits().max_output_bytes + 1);
        }
        EDGEAI_TRY(rt.spend(size * static_cast<size_t>(times) / 64 + 1));
        std::string out;
        for (int64_t i = 0; i < times; ++i)
            out += seq.as_string();
        return Value::string(std::move(out));
    }
    const size_t size = seq.as_list().size();
    if (size > 0 && static_cast<uint64_t>(times) > rt.limits().max_items / size) {
        return rt.check_items(rt.limits().max_items + 1);
    }
    EDGEAI_TRY(rt.spend(size * static_cast<size_t>(times) + 1));
    List out;
    for (int64_t i = 0; i < times; ++i) {
        out.insert(out.end(), seq.as_list().begin(), seq.as_list().end());
    }
    return Value::list(std::move(out), seq.is_tuple());
}

// Python's floor division and modulo: the result takes the divisor's sign.
int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

core::Result<Value> arithmetic(Runtime& rt, std::string_view op, const Value& a, const Value& b) {
    if (!a.is_number() || !b.is_number()) return type_error(op, a, b);
    const bool as_float = a.is_float() || b.is_float() || op == "/";
    if (op == "**") {
        if (!as_float && b.as_int() >= 0) {
            int64_t result = 1;
            int64_t base = a.as_int();
            for (int64_t e = b.as_int(); e > 0; --e) {
                if (__builtin_mul_overflow(result, base, &result)) {
                    return core::invalid_argument("integer overflow");
                }
                if (result == 0 || result == 1) break;
                EDGEAI_TRY(rt.spend(1));
            }
            return Value::integer(result);
        }
        return Value::number(std::pow(a.as_float(), b.as_float()));
    }
    if (as_float) {
        const double x = a.as_float();
        const double y = b.as_float();
        if ((op == "/" || op == "//" || op == "%") && y == 0) {
            return core::invalid_argument("division by zero");
        }
        if (op == "+") return Value::number(x + y);
        if (op == "-") return Value::number(x - y);
        if (op == "*") return Value::number(x * y);
        if (op == "/") return Value::number(x / y);
        if (op == "//") return Value::number(std::floor(x / y));
        double m = std::fmod(x, y);
        if (m != 0 && ((m < 0) != (y < 0))) m += y;
        return Value::number(m);
    }
    const int64_t x = a.as_int();
    const int64_t y = b.as_int();
    int64_t r = 0;
    bool overflow = false;
    if (op == "+" || op == "-" || op == "*") {
        // The result is read only after the builtin has written it.
        overflow = op == "+"   ? __builtin_add_overflow(x, y, &r)
                   : op == "-" ? __builtin_sub_overflow(x, y, &r)
                               : __builtin_mul_overflow(x, y, &r);
        if (overflow) return core::invalid_argument("integer overflow");
        return Value::integer(r);
    }
    if (y == 0) return core::invalid_argument("integer division or modulo by zero");
    if (x == std::numeric_limits<int64_t>::min() && y == -1) {
        return core::invalid_argument("integer overflow");
    }
    if (op == "//") return Value::integer(floor_div(x, y));
    return Value::integer(x - floor_div(x, y) * y);
}

} // namespace

core::Result<Value> binary_op(Runtime& rt, std::string_view op, const Value& a, const Value& b) {
    if (op == "~") {
        std::string s = to_str(a) + to_str(b);
        EDGEAI_TRY(rt.check_string(s.size()));
        return Value::string(std::move(s));
    }
    if (a.is_undefined()) return undefined_error(a);
    if (b.is_undefined()) return undefined_error(b);
    if (op == "+") {
        if (a.is_string() && b.is_string()) {
            EDGEAI_TRY(rt.check_string(a.as_string().size() + b.as_string().size()));
            EDGEAI_TRY(rt.spend((a.as_string().size() + b.as_string().size()) / 256));
            return Value::string(a.as_string() + b.as_string());
        }
        if (a.is_list() && b.is_list()) {
            EDGEAI_TRY(rt.check_items(a.as_list().size() + b.as_list().size()));
            EDGEAI_TRY(rt.spend(a.as_list().size() + b.as_list().size()));
            List out = a.as_list();
            out.insert(out.end(), b.as_list().begin(), b.as_list().end());
            Value v = Value::list(std::move(out), a.is_tuple());
            if (v.depth() > kMaxValueDepth) return core::invalid_argument("list nested too deeply");
            return v;
        }
    }
    if (op == "*") {
        if ((a.is_string() || a.is_list()) && (b.is_int() || b.is_bool())) {
            return repeat(rt, a, b.as_int());
        }
        if ((b.is_string() || b.is_list()) && (a.is_int() || a.is_bool())) {
            return repeat(rt, b, a.as_int());
        }
    }
    if (op == "%" && a.is_string()) {
        return core::invalid_argument("printf-style '%' string formatting is not supported");
    }
    return arithmetic(rt, op, a, b);
}

core::Result<int> compare_values(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float()) {
            const double x = a.as_float();
            const double y = b.as_float();
            return x < y ? -1 : y < x ? 1 : 0;
        }
        return a.as_int() < b.as_int() ? -1 : b.as_int() < a.as_int() ? 1 : 0;
    }
    if (a.is_string() && b.is_string()) {
        // UTF-8 byte order is code point order, as Python compares.
        const int c = a.as_string().compare(b.as_string());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (a.is_list() && b.is_list()) {
        const List& x = a.as_list();
        const List& y = b.as_list();
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (equals(x[i], y[i])) continue;
            return compare_values(x[i], y[i]);
        }
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    if (a.is_undefined()) return undefined_error(a);
    if (b.is_undefined()) return undefined_error(b);
    return core::invalid_argument("'<' not supported between instances of '" +
                                  std::string(type_name(a)) + "' and '" +
                                  std::string(type_name(b)) + "'");
}

core::Result<bool> compare_op(std::string_view op, const Value& a, const Value& b) {
    if (op == "==") return equals(a, b);
    if (op == "!=") return !equals(a, b);
    if (op == "in" || op == "not in") {
        bool found = false;
        if (b.is_string()) {
            if (!a.is_string()) {
                return core::invalid_argument("'in <string>' requires string as left operand, "
                                              "not " +
                                              std::string(type_name(a)));
            }
            found = b.as_string().find(a.as_string()) != std::string::npos;
        } else if (b.is_list()) {
            for (const Value& item : b.as_list())
                found = found || equals(a, item);
        } else if (b.is_dict() || b.is_namespace()) {
            found = a.is_string() && b.find(a.as_string()) != nullptr;
        } else if (!b.is_undefined()) {
            return core::invalid_argument("argument of type '" + std::string(type_name(b)) +
                                          "' is not iterable");
        }
        return op == "in" ? found : !found;
    }
    EDGEAI_ASSIGN_OR_RETURN(const int c, compare_values(a, b));
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
}

core::Result<List> iterate(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::kUndefined:
        return List{};
    case Value::Kind::kList:
        return v.as_list();
    case Value::Kind::kDict: {
        List keys;
        keys.reserve(v.as_dict().size());
        for (const auto& entry : v.as_dict())
            keys.push_back(Value::string(entry.first));
        return keys;
    }
    case Value::Kind::kString: {
        const std::string& s = v.as_string();
        const std::vector<size_t> offsets = code_point_offsets(s);
        List chars;
        chars.reserve(offsets.size());
        for (size_t i = 0; i + 1 < offsets.size(); ++i) {
            chars.push_back(Value::string(s.substr(offsets[i], offsets[i + 1] - offsets[i])));
        }
        return chars;
    }
    default:
        break;
    }
    return core::invalid_argument("'" + std::string(type_name(v)) + "' object is not iterable");
}

} // namespace edgeai::engine::tmpl
