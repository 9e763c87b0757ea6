#include "engine/template/value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace edgeai::engine::tmpl {

const List& Value::empty_list() {
    static const List empty;
    return empty;
}

const Dict& Value::empty_dict() {
    static const Dict empty;
    return empty;
}

const Value* Value::find(std::string_view key) const {
    const Dict* d = is_dict() ? dict_.get() : is_namespace() ? ns_.get() : nullptr;
    if (d == nullptr) return nullptr;
    // Python keeps a dict's last value for a repeated key.
    for (auto it = d->rbegin(); it != d->rend(); ++it) {
        if (it->first == key) return &it->second;
    }
    return nullptr;
}

bool truthy(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
        return false;
    case Value::Kind::kBool:
    case Value::Kind::kInt:
        return v.as_int() != 0;
    case Value::Kind::kFloat:
        return v.as_float() != 0;
    case Value::Kind::kString:
        return !v.as_string().empty();
    case Value::Kind::kList:
        return !v.as_list().empty();
    case Value::Kind::kDict:
        return !v.as_dict().empty();
    case Value::Kind::kNamespace:
    case Value::Kind::kCallable:
        break;
    }
    return true;
}

namespace {

bool equals_at(const Value& a, const Value& b, int depth);

} // namespace

bool equals(const Value& a, const Value& b) {
    return equals_at(a, b, 0);
}

namespace {

bool equals_at(const Value& a, const Value& b, int depth) {
    // Values a template nests deeper than this compare unequal rather than
    // exhaust the stack.
    if (depth > kMaxValueDepth) return false;
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float()) return a.as_float() == b.as_float();
        return a.as_int() == b.as_int();
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
        return true;
    case Value::Kind::kString:
        return a.as_string() == b.as_string();
    case Value::Kind::kList: {
        const List& x = a.as_list();
        const List& y = b.as_list();
        if (x.size() != y.size() || a.is_tuple() != b.is_tuple()) return false;
        for (size_t i = 0; i < x.size(); ++i) {
            if (!equals_at(x[i], y[i], depth + 1)) return false;
        }
        return true;
    }
    case Value::Kind::kDict: {
        if (a.as_dict().size() != b.as_dict().size()) return false;
        for (const auto& [k, v] : a.as_dict()) {
            const Value* other = b.find(k);
            if (other == nullptr || !equals_at(v, *other, depth + 1)) return false;
        }
        return true;
    }
    case Value::Kind::kNamespace:
        return &a.namespace_entries() == &b.namespace_entries();
    case Value::Kind::kCallable:
        return &a.as_callable() == &b.as_callable();
    default:
        break;
    }
    return false;
}

} // namespace

std::string float_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    // The shortest digits that read back as d, as Python's repr chooses them.
    char buf[40];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    // buf is now "-d.ddde+XX": split into digits and a decimal exponent.
    std::string s(buf);
    const size_t e = s.find('e');
    const int exponent = std::atoi(s.c_str() + e + 1);
    std::string digits;
    const bool negative = s[0] == '-';
    for (size_t i = negative ? 1 : 0; i < e; ++i) {
        if (s[i] != '.') digits += s[i];
    }
    while (digits.size() > 1 && digits.back() == '0')
        digits.pop_back();
    std::string out = negative ? "-" : "";
    // Python writes positional notation for exponents in [-4, 16).
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0.";
            out.append(static_cast<size_t>(-exponent - 1), '0');
            out += digits;
        } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
            out += digits;
            out.append(static_cast<size_t>(exponent) + 1 - digits.size(), '0');
            out += ".0";
        } else {
            out += digits.substr(0, static_cast<size_t>(exponent) + 1);
            out += '.';
            out += digits.substr(static_cast<size_t>(exponent) + 1);
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
        out += '.';
        out += digits.substr(1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
    return out;
}

namespace {

void append_string_repr(std::string& out, const std::string& s) {
    const bool has_single = s.find('\'') != std::string::npos;
    const bool has_double = s.find('"') != std::string::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    out += quote;
    for (unsigned char c : s) {
        if (c == '\\' || c == static_cast<unsigned char>(quote)) {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += quote;
}

void append_repr_at(std::string& out, const Value& v, int depth) {
    if (depth > kMaxValueDepth) {
        out += "...";
        return;
    }
    switch (v.kind()) {
    case Value::Kind::kString:
        append_string_repr(out, v.as_string());
        return;
    case Value::Kind::kList: {
        out += v.is_tuple() ? '(' : '[';
        const List& items = v.as_list();
        for (size_t i = 0; i < items.size(); ++i) {
            if (i > 0) out += ", ";
            append_repr_at(out, items[i], depth + 1);
        }
        if (v.is_tuple() && items.size() == 1) out += ',';
        out += v.is_tuple() ? ')' : ']';
        return;
    }
    case Value::Kind::kDict: {
        out += '{';
        bool first = true;
        for (const auto& [k, item] : v.as_dict()) {
            if (!first) out += ", ";
            first = false;
            append_string_repr(out, k);
            out += ": ";
            append_repr_at(out, item, depth + 1);
        }
        out += '}';
        return;
    }
    default:
        out += to_str(v);
    }
}

} // namespace

void append_repr(std::string& out, const Value& v) {
    append_repr_at(out, v, 0);
}

std::string to_str(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::kUndefined:
        return "";
    case Value::Kind::kNone:
        return "None";
    case Value::Kind::kBool:
        return v.as_bool() ? "True" : "False";
    case Value::Kind::kInt:
        return std::to_string(v.as_int());
    case Value::Kind::kFloat:
        return float_repr(v.as_float());
    case Value::Kind::kString:
        return v.as_string();
    case Value::Kind::kNamespace:
        return "<Namespace>";
    case Value::Kind::kCallable:
        return "<function>";
    case Value::Kind::kList:
    case Value::Kind::kDict:
        break;
    }
    std::string out;
    append_repr(out, v);
    return out;
}

std::string_view type_name(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::kUndefined:
        return "Undefined";
    case Value::Kind::kNone:
        return "NoneType";
    case Value::Kind::kBool:
        return "bool";
    case Value::Kind::kInt:
        return "int";
    case Value::Kind::kFloat:
        return "float";
    case Value::Kind::kString:
        return "str";
    case Value::Kind::kList:
        return v.is_tuple() ? "tuple" : "list";
    case Value::Kind::kDict:
        return "dict";
    case Value::Kind::kNamespace:
        return "Namespace";
    case Value::Kind::kCallable:
        break;
    }
    return "function";
}

} // namespace edgeai::engine::tmpl
