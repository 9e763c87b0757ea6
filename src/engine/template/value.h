// The values a chat template computes with, shaped after the Python objects
// Jinja hands a template: none, booleans, integers, floats, strings, lists
// (tuples are lists that print with parentheses), ordered dicts, namespaces and
// callables. Lists and dicts are immutable and shared, as Hugging Face's
// immutable sandbox makes them, so copying a Value never copies a conversation.
// A namespace is the one mutable object (`{% set ns.x = ... %}`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeai::engine::tmpl {

class Value;
struct Callable;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>;

class Value {
  public:
    enum class Kind {
        kUndefined,
        kNone,
        kBool,
        kInt,
        kFloat,
        kString,
        kList,
        kDict,
        kNamespace,
        kCallable
    };

    Value() = default; // undefined
    static Value undefined(std::string name) {
        Value v;
        v.str_ = std::move(name);
        return v;
    }
    static Value none() { return Value(Kind::kNone); }
    static Value boolean(bool b) {
        Value v(Kind::kBool);
        v.int_ = b ? 1 : 0;
        return v;
    }
    static Value integer(int64_t i) {
        Value v(Kind::kInt);
        v.int_ = i;
        return v;
    }
    static Value number(double d) {
        Value v(Kind::kFloat);
        v.float_ = d;
        return v;
    }
    static Value string(std::string s) {
        Value v(Kind::kString);
        v.str_ = std::move(s);
        return v;
    }
    static Value list(List items, bool tuple = false) {
        Value v(Kind::kList);
        for (const Value& item : items)
            v.note_child(item);
        v.list_ = std::make_shared<const List>(std::move(items));
        v.int_ = tuple ? 1 : 0;
        return v;
    }
    static Value dict(Dict entries) {
        Value v(Kind::kDict);
        for (const auto& entry : entries)
            v.note_child(entry.second);
        v.dict_ = std::make_shared<const Dict>(std::move(entries));
        return v;
    }
    static Value name_space(Dict entries) {
        Value v(Kind::kNamespace);
        v.ns_ = std::make_shared<Dict>(std::move(entries));
        v.holds_namespace_ = true;
        return v;
    }
    static Value callable(std::shared_ptr<const Callable> c) {
        Value v(Kind::kCallable);
        v.callable_ = std::move(c);
        return v;
    }

    Kind kind() const { return kind_; }
    bool is_undefined() const { return kind_ == Kind::kUndefined; }
    bool is_none() const { return kind_ == Kind::kNone; }
    bool is_bool() const { return kind_ == Kind::kBool; }
    bool is_int() const { return kind_ == Kind::kInt; }
    bool is_float() const { return kind_ == Kind::kFloat; }
    // Python's numbers: bool is an int there, so True + 1 == 2.
    bool is_number() const { return is_int() || is_float() || is_bool(); }
    bool is_string() const { return kind_ == Kind::kString; }
    bool is_list() const { return kind_ == Kind::kList; }
    bool is_tuple() const { return is_list() && int_ == 1; }
    bool is_dict() const { return kind_ == Kind::kDict; }
    bool is_namespace() const { return kind_ == Kind::kNamespace; }
    bool is_callable() const { return kind_ == Kind::kCallable; }

    bool as_bool() const { return int_ != 0; }
    int64_t as_int() const { return int_; } // bools too
    double as_float() const { return is_float() ? float_ : static_cast<double>(int_); }
    const std::string& as_string() const { return str_; }
    // The undefined name, for "'x' is undefined".
    const std::string& undefined_name() const { return str_; }
    const List& as_list() const { return list_ ? *list_ : empty_list(); }
    const Dict& as_dict() const { return dict_ ? *dict_ : empty_dict(); }
    Dict& namespace_entries() const { return *ns_; }
    const Callable& as_callable() const { return *callable_; }

    // Member of a dict or namespace, or nullptr.
    const Value* find(std::string_view key) const;

    // Levels of lists and dicts below this value (0 for a scalar). The
    // interpreter refuses values deeper than kMaxValueDepth, whose destruction
    // alone would recurse that deep.
    int depth() const { return depth_; }
    // Whether a namespace is this value or inside it: a namespace may not be
    // stored into one, since a cycle of shared objects would never be freed.
    bool holds_namespace() const { return holds_namespace_; }

  private:
    explicit Value(Kind k) : kind_(k) {}
    void note_child(const Value& child) {
        if (child.depth_ + 1 > depth_) depth_ = child.depth_ + 1;
        holds_namespace_ = holds_namespace_ || child.holds_namespace_;
    }
    static const List& empty_list();
    static const Dict& empty_dict();

    Kind kind_ = Kind::kUndefined;
    int depth_ = 0;
    bool holds_namespace_ = false;
    int64_t int_ = 0;
    double float_ = 0;
    std::string str_;
    std::shared_ptr<const List> list_;
    std::shared_ptr<const Dict> dict_;
    std::shared_ptr<Dict> ns_;
    std::shared_ptr<const Callable> callable_;
};

// How deep printing, comparing and tojson follow nested lists and dicts; a
// template can build deeper ones, which print as "..." and do not compare
// equal (tojson refuses them).
constexpr int kMaxValueDepth = 200;

// Python's truth value: empty strings, lists and dicts, zero, none and
// undefined are false.
bool truthy(const Value& v);

// Python's == (1 == 1.0 == True; lists and dicts by content).
bool equals(const Value& a, const Value& b);

// Python's str(): what {{ x }} prints. Undefined prints as nothing.
std::string to_str(const Value& v);
// Python's repr(), for values inside printed lists and dicts.
void append_repr(std::string& out, const Value& v);
// Python's repr() of a float ("1.0", "0.1", "1e-05", "inf").
std::string float_repr(double d);

// Python's type name, for error messages ("str", "list", "NoneType").
std::string_view type_name(const Value& v);

} // namespace edgeai::engine::tmpl
