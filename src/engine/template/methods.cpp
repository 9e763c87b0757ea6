// Methods of strings and dicts that templates call (message.content.strip(),
// message.get('x'), tool.items(), ...). Lists have none here: the immutable
// sandbox Hugging Face renders in refuses append, pop and the rest.
#include "engine/template/py_string.h"
#include "engine/template/runtime.h"

#include <array>

namespace edgeai::engine::tmpl {

namespace {

constexpr std::array<std::string_view, 19> kStringMethods = {
    "strip",  "lstrip",     "rstrip",  "split",      "startswith", "endswith", "replace",
    "upper",  "lower",      "title",   "capitalize", "find",       "count",    "join",
    "rsplit", "splitlines", "isdigit", "isspace",    "format"};
constexpr std::array<std::string_view, 4> kDictMethods = {"get", "items", "keys", "values"};

core::Result<std::optional<std::string>>
optional_string(const Args& args, size_t index, std::string_view name, std::string_view method) {
    const Value* v = args.get(index, name);
    if (v == nullptr || v->is_none()) return std::optional<std::string>();
    if (!v->is_string()) {
        return core::invalid_argument(std::string(method) +
                                      "() argument must be str or None, "
                                      "not " +
                                      std::string(type_name(*v)));
    }
    return std::optional<std::string>(v->as_string());
}

core::Result<std::string> required_string(const Args& args, size_t index, std::string_view name,
                                          std::string_view method) {
    const Value* v = args.get(index, name);
    if (v == nullptr || !v->is_string()) {
        return core::invalid_argument(std::string(method) + "() needs a string argument '" +
                                      std::string(name) + "'");
    }
    return v->as_string();
}

int64_t optional_int(const Args& args, size_t index, std::string_view name, int64_t fallback) {
    const Value* v = args.get(index, name);
    return v != nullptr && (v->is_int() || v->is_bool()) ? v->as_int() : fallback;
}

Value string_list(std::vector<std::string> parts) {
    List items;
    items.reserve(parts.size());
    for (std::string& p : parts)
        items.push_back(Value::string(std::move(p)));
    return Value::list(std::move(items));
}

// startswith/endswith take a string or a tuple of strings.
core::Result<bool> affix_match(const std::string& s, const Value& affix, bool prefix) {
    auto one = [&](const std::string& a) {
        if (a.size() > s.size()) return false;
        return prefix ? s.compare(0, a.size(), a) == 0
                      : s.compare(s.size() - a.size(), a.size(), a) == 0;
    };
    if (affix.is_string()) return one(affix.as_string());
    if (affix.is_list()) {
        for (const Value& a : affix.as_list()) {
            if (!a.is_string()) break;
            if (one(a.as_string())) return true;
        }
        if (affix.is_tuple()) return false;
    }
    return core::invalid_argument(std::string(prefix ? "startswith" : "endswith") +
                                  " first arg must be str or a tuple of str, not " +
                                  std::string(type_name(affix)));
}

core::Result<Value> string_method(Runtime& rt, const std::string& s, std::string_view name,
                                  const Args& args) {
    EDGEAI_TRY(rt.spend(s.size() / 64 + 1));
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
        EDGEAI_ASSIGN_OR_RETURN(auto chars, optional_string(args, 0, "chars", name));
        return Value::string(std::string(py_strip(s, chars, name != "rstrip", name != "lstrip")));
    }
    if (name == "split" || name == "rsplit") {
        EDGEAI_ASSIGN_OR_RETURN(auto sep, optional_string(args, 0, "sep", name));
        if (sep && sep->empty()) return core::invalid_argument("split(): empty separator");
        const int64_t maxsplit = optional_int(args, 1, "maxsplit", -1);
        if (name == "rsplit" && maxsplit >= 0) {
            return core::invalid_argument("rsplit() with maxsplit is not supported");
        }
        std::vector<std::string> parts = py_split(s, sep, maxsplit);
        EDGEAI_TRY(rt.check_items(parts.size()));
        return string_list(std::move(parts));
    }
    if (name == "splitlines") {
        std::vector<std::string> parts = py_split(s, std::string("\n"), -1);
        if (!parts.empty() && parts.back().empty()) parts.pop_back();
        for (std::string& p : parts) {
            if (!p.empty() && p.back() == '\r') p.pop_back();
        }
        EDGEAI_TRY(rt.check_items(parts.size()));
        return string_list(std::move(parts));
    }
    if (name == "startswith" || name == "endswith") {
        const Value* affix = args.get(0, "prefix");
        if (affix == nullptr)
            return core::invalid_argument(std::string(name) + "() needs an argument");
        EDGEAI_ASSIGN_OR_RETURN(const bool match, affix_match(s, *affix, name == "startswith"));
        return Value::boolean(match);
    }
    if (name == "replace") {
        EDGEAI_ASSIGN_OR_RETURN(std::string old, required_string(args, 0, "old", name));
        EDGEAI_ASSIGN_OR_RETURN(std::string replacement, required_string(args, 1, "new", name));
        const size_t worst = old.empty() ? (s.size() + 1) * replacement.size() + s.size()
                                         : s.size() / old.size() * replacement.size() + s.size();
        EDGEAI_TRY(rt.check_string(worst < s.size() ? s.size() : worst));
        return Value::string(py_replace(s, old, replacement, optional_int(args, 2, "count", -1)));
    }
    if (name == "upper") return Value::string(py_upper(s));
    if (name == "lower") return Value::string(py_lower(s));
    if (name == "title") return Value::string(py_title(s));
    if (name == "capitalize") return Value::string(py_capitalize(s));
    if (name == "find" || name == "count") {
        EDGEAI_ASSIGN_OR_RETURN(std::string sub, required_string(args, 0, "sub", name));
        if (name == "find") {
            const size_t at = s.find(sub);
            if (at == std::string::npos) return Value::integer(-1);
            return Value::integer(static_cast<int64_t>(code_point_count(s.substr(0, at))));
        }
        if (sub.empty()) return Value::integer(static_cast<int64_t>(code_point_count(s) + 1));
        int64_t n = 0;
        for (size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) {
            ++n;
        }
        return Value::integer(n);
    }
    if (name == "join") {
        const Value* items = args.get(0, "iterable");
        if (items == nullptr) return core::invalid_argument("join() needs an argument");
        EDGEAI_ASSIGN_OR_RETURN(List list, iterate(*items));
        std::string out;
        for (size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_string()) {
                return core::invalid_argument("sequence item " + std::to_string(i) +
                                              ": expected str instance, " +
                                              std::string(type_name(list[i])) + " found");
            }
            if (i > 0) out += s;
            out += list[i].as_string();
            EDGEAI_TRY(rt.check_string(out.size()));
        }
        return Value::string(std::move(out));
    }
    if (name == "isdigit" || name == "isspace") {
        bool all = !s.empty();
        for (char c : s) {
            all = all && (name == "isdigit" ? (c >= '0' && c <= '9')
                                            : (c == ' ' || (c >= '\t' && c <= '\r')));
        }
        return Value::boolean(all);
    }
    return core::invalid_argument("str." + std::string(name) + "() is not supported");
}

core::Result<Value> dict_method(const Value& self, std::string_view name, const Args& args) {
    if (name == "get") {
        const Value* key = args.get(0, "key");
        if (key == nullptr) return core::invalid_argument("get() needs a key");
        if (key->is_string()) {
            if (const Value* v = self.find(key->as_string())) return *v;
        }
        const Value* fallback = args.get(1, "default");
        return fallback != nullptr ? *fallback : Value::none();
    }
    List out;
    out.reserve(self.as_dict().size());
    for (const auto& [k, v] : self.as_dict()) {
        if (name == "keys") {
            out.push_back(Value::string(k));
        } else if (name == "values") {
            out.push_back(v);
        } else {
            out.push_back(Value::list({Value::string(k), v}, true));
        }
    }
    return Value::list(std::move(out));
}

} // namespace

bool has_method(const Value& self, std::string_view name) {
    if (self.is_string()) {
        for (std::string_view m : kStringMethods) {
            if (m == name) return true;
        }
    } else if (self.is_dict()) {
        for (std::string_view m : kDictMethods) {
            if (m == name) return true;
        }
    }
    return false;
}

core::Result<Value> call_method(Runtime& rt, const Value& self, std::string_view name,
                                const Args& args) {
    if (self.is_string()) return string_method(rt, self.as_string(), name, args);
    EDGEAI_TRY(rt.spend(self.as_dict().size() + 1));
    return dict_method(self, name, args);
}

} // namespace edgeai::engine::tmpl
