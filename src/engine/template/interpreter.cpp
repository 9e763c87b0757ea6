// Runs a parsed template: scopes as Jinja keeps them (a for loop's body and
// a macro have their own; if does not), output into a bounded string, and
// every error prefixed with the line of the construct that failed.
#include "engine/template/lexer.h"
#include "engine/template/parser.h"
#include "engine/template/py_string.h"
#include "engine/template/runtime.h"
#include "engine/template/template.h"

namespace edgeai::engine::tmpl {

struct ChatTemplate::Parsed {
    Body body;
};

namespace {

enum class Flow { kNormal, kBreak, kContinue };

constexpr size_t kNoParent = static_cast<size_t>(-1);

struct Frame {
    size_t parent;
    Dict vars;
};

std::string line_prefix(int line) {
    return "chat template line " + std::to_string(line) + ": ";
}

core::Status at_line(core::Status s, int line) {
    if (s.ok() || s.message().rfind("chat template line ", 0) == 0) return s;
    return core::Status(s.code(), line_prefix(line) + s.message());
}

template <typename T> core::Result<T> at_line(core::Result<T> r, int line) {
    if (r.ok()) return r;
    return at_line(r.status(), line);
}

class Interpreter {
  public:
    Interpreter(const RenderOptions& options, const Dict& globals) : rt_(options) {
        frames_.push_back({kNoParent, globals});
        frames_.push_back({0, {}}); // the template's own top-level variables
        current_ = 1;
    }

    core::Result<std::string> render(const Body& body) {
        std::string out;
        Flow flow = Flow::kNormal;
        EDGEAI_TRY(exec_body(body, out, flow));
        return out;
    }

  private:
    // ---- scopes ----

    const Value* lookup(std::string_view name) const {
        for (size_t f = current_; f != kNoParent; f = frames_[f].parent) {
            const Dict& vars = frames_[f].vars;
            for (auto it = vars.rbegin(); it != vars.rend(); ++it) {
                if (it->first == name) return &it->second;
            }
        }
        return nullptr;
    }

    void assign(const std::string& name, Value v) {
        Dict& vars = frames_[current_].vars;
        for (auto& entry : vars) {
            if (entry.first == name) {
                entry.second = std::move(v);
                return;
            }
        }
        vars.emplace_back(name, std::move(v));
    }

    // A scope for a loop iteration, a macro or a caller body.
    class Scope {
      public:
        Scope(Interpreter& in, size_t parent) : in_(in), saved_(in.current_) {
            in.frames_.push_back({parent, {}});
            in.current_ = in.frames_.size() - 1;
        }
        ~Scope() {
            in_.frames_.pop_back();
            in_.current_ = saved_;
        }

      private:
        Interpreter& in_;
        size_t saved_;
    };

    // ---- statements ----

    core::Status emit(std::string& out, std::string_view text) {
        if (out.size() + text.size() > rt_.limits().max_output_bytes) {
            return core::resource_exhausted("the rendered chat template is larger than its limit "
                                            "of " +
                                            std::to_string(rt_.limits().max_output_bytes) +
                                            " bytes");
        }
        out += text;
        return {};
    }

    core::Status exec_body(const Body& body, std::string& out, Flow& flow) {
        for (const StmtPtr& s : body) {
            EDGEAI_TRY(at_line(exec(*s, out, flow), s->line));
            if (flow != Flow::kNormal) return {};
        }
        return {};
    }

    core::Status exec(const Stmt& s, std::string& out, Flow& flow) {
        EDGEAI_TRY(rt_.spend(1));
        switch (s.kind) {
        case StmtKind::kText:
            return emit(out, s.text);
        case StmtKind::kOutput: {
            EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*s.expr));
            return emit(out, to_str(v));
        }
        case StmtKind::kIf: {
            EDGEAI_ASSIGN_OR_RETURN(Value cond, eval(*s.expr));
            return exec_body(truthy(cond) ? s.body : s.else_body, out, flow);
        }
        case StmtKind::kFor:
            return exec_for(s, out, flow);
        case StmtKind::kSet: {
            EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*s.expr));
            return exec_set(s, std::move(v));
        }
        case StmtKind::kSetBlock: {
            std::string text;
            Flow inner = Flow::kNormal;
            EDGEAI_TRY(exec_body(s.body, text, inner));
            return exec_set(s, Value::string(std::move(text)));
        }
        case StmtKind::kMacro: {
            auto c = std::make_shared<Callable>();
            c->kind = Callable::Kind::kMacro;
            c->stmt = &s;
            c->name = s.text;
            assign(s.text, Value::callable(std::move(c)));
            return {};
        }
        case StmtKind::kCallBlock: {
            auto caller = std::make_shared<Callable>();
            caller->kind = Callable::Kind::kCaller;
            caller->stmt = &s;
            caller->frame = current_;
            EDGEAI_ASSIGN_OR_RETURN(Value v,
                                    eval_call(*s.expr, Value::callable(std::move(caller))));
            return emit(out, to_str(v));
        }
        case StmtKind::kFilterBlock: {
            std::string text;
            Flow inner = Flow::kNormal;
            EDGEAI_TRY(exec_body(s.body, text, inner));
            Scope scope(*this, current_);
            assign(std::string(kFilterBodyName), Value::string(std::move(text)));
            EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*s.expr));
            return emit(out, to_str(v));
        }
        case StmtKind::kBreak:
            flow = Flow::kBreak;
            return {};
        case StmtKind::kContinue:
            flow = Flow::kContinue;
            return {};
        case StmtKind::kBlock:
            return exec_body(s.body, out, flow);
        }
        return {};
    }

    core::Status bind_targets(const std::vector<std::string>& targets, const Value& v) {
        if (targets.size() == 1) {
            assign(targets[0], v);
            return {};
        }
        if (!v.is_list() || v.as_list().size() != targets.size()) {
            return core::invalid_argument("cannot unpack " + std::string(type_name(v)) + " into " +
                                          std::to_string(targets.size()) + " variables");
        }
        for (size_t i = 0; i < targets.size(); ++i)
            assign(targets[i], v.as_list()[i]);
        return {};
    }

    core::Status exec_set(const Stmt& s, Value v) {
        if (v.depth() > kMaxValueDepth) {
            return core::invalid_argument("value nested deeper than " +
                                          std::to_string(kMaxValueDepth) + " levels");
        }
        if (s.attribute.empty()) return bind_targets(s.targets, v);
        const Value* ns = lookup(s.targets[0]);
        if (ns == nullptr || !ns->is_namespace()) {
            return core::invalid_argument("cannot assign attribute '" + s.attribute + "' on '" +
                                          s.targets[0] + "', which is not a namespace");
        }
        if (v.holds_namespace()) {
            return core::invalid_argument("a namespace cannot be stored in a namespace");
        }
        Dict& entries = ns->namespace_entries();
        for (auto& entry : entries) {
            if (entry.first == s.attribute) {
                entry.second = std::move(v);
                return {};
            }
        }
        EDGEAI_TRY(rt_.check_items(entries.size() + 1));
        entries.emplace_back(s.attribute, std::move(v));
        return {};
    }

    Value loop_variable(const List& items, size_t i) {
        const int64_t n = static_cast<int64_t>(items.size());
        const int64_t k = static_cast<int64_t>(i);
        auto cycle = std::make_shared<Callable>();
        cycle->kind = Callable::Kind::kCycle;
        cycle->self = Value::integer(k);
        Dict loop = {
            {"index0", Value::integer(k)},
            {"index", Value::integer(k + 1)},
            {"revindex0", Value::integer(n - k - 1)},
            {"revindex", Value::integer(n - k)},
            {"first", Value::boolean(i == 0)},
            {"last", Value::boolean(i + 1 == items.size())},
            {"length", Value::integer(n)},
            {"depth", Value::integer(1)},
            {"depth0", Value::integer(0)},
            {"previtem", i > 0 ? items[i - 1] : Value::undefined("there is no previous item")},
            {"nextitem",
             i + 1 < items.size() ? items[i + 1] : Value::undefined("there is no next item")},
            {"cycle", Value::callable(std::move(cycle))},
        };
        return Value::dict(std::move(loop));
    }

    core::Status exec_for(const Stmt& s, std::string& out, Flow& outer_flow) {
        (void)outer_flow; // break and continue end at their own loop
        EDGEAI_ASSIGN_OR_RETURN(Value iterable, eval(*s.expr));
        EDGEAI_ASSIGN_OR_RETURN(List items, iterate(iterable));
        if (s.filter) {
            List kept;
            for (const Value& item : items) {
                EDGEAI_TRY(rt_.count_iteration());
                Scope scope(*this, current_);
                EDGEAI_TRY(bind_targets(s.targets, item));
                EDGEAI_ASSIGN_OR_RETURN(Value keep, eval(*s.filter));
                if (truthy(keep)) kept.push_back(item);
            }
            items = std::move(kept);
        }
        if (items.empty()) {
            Flow flow = Flow::kNormal;
            return exec_body(s.else_body, out, flow);
        }
        for (size_t i = 0; i < items.size(); ++i) {
            EDGEAI_TRY(rt_.count_iteration());
            Scope scope(*this, current_);
            assign("loop", loop_variable(items, i));
            EDGEAI_TRY(bind_targets(s.targets, items[i]));
            Flow flow = Flow::kNormal;
            EDGEAI_TRY(exec_body(s.body, out, flow));
            if (flow == Flow::kBreak) break;
        }
        return {};
    }

    // ---- expressions ----

    core::Result<Value> eval(const Expr& e) {
        EDGEAI_TRY(rt_.spend(1));
        return at_line(eval_node(e), e.line);
    }

    core::Result<Args> eval_args(const Expr& e, size_t first) {
        Args args;
        for (size_t i = first; i < e.args.size(); ++i) {
            EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*e.args[i]));
            args.positional.push_back(std::move(v));
        }
        for (const auto& [name, expr] : e.kwargs) {
            EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*expr));
            args.named.emplace_back(name, std::move(v));
        }
        return args;
    }

    core::Result<Value> eval_node(const Expr& e) {
        switch (e.kind) {
        case ExprKind::kLiteral:
            return e.value;
        case ExprKind::kName: {
            if (const Value* v = lookup(e.name)) return *v;
            if (is_global_function(e.name)) {
                auto c = std::make_shared<Callable>();
                c->kind = Callable::Kind::kGlobal;
                c->name = e.name;
                return Value::callable(std::move(c));
            }
            return Value::undefined("'" + e.name + "' is undefined");
        }
        case ExprKind::kList:
        case ExprKind::kTuple: {
            EDGEAI_TRY(rt_.check_items(e.args.size()));
            List items;
            for (const ExprPtr& item : e.args) {
                EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*item));
                items.push_back(std::move(v));
            }
            Value list = Value::list(std::move(items), e.kind == ExprKind::kTuple);
            if (list.depth() > kMaxValueDepth)
                return core::invalid_argument("list nested too deeply");
            return list;
        }
        case ExprKind::kDict: {
            Dict entries;
            for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
                EDGEAI_ASSIGN_OR_RETURN(Value key, eval(*e.args[i]));
                EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*e.args[i + 1]));
                if (!key.is_string()) {
                    return core::invalid_argument("dict keys must be strings here, not " +
                                                  std::string(type_name(key)));
                }
                if (v.holds_namespace()) {
                    return core::invalid_argument("a namespace cannot be stored in a dict");
                }
                entries.emplace_back(key.as_string(), std::move(v));
            }
            Value dict = Value::dict(std::move(entries));
            if (dict.depth() > kMaxValueDepth)
                return core::invalid_argument("dict nested too deeply");
            return dict;
        }
        case ExprKind::kAttribute: {
            EDGEAI_ASSIGN_OR_RETURN(Value object, eval(*e.args[0]));
            return get_attribute(object, e.name);
        }
        case ExprKind::kItem: {
            EDGEAI_ASSIGN_OR_RETURN(Value object, eval(*e.args[0]));
            EDGEAI_ASSIGN_OR_RETURN(Value key, eval(*e.args[1]));
            return get_item(object, key);
        }
        case ExprKind::kSlice:
            return eval_slice(e);
        case ExprKind::kCall:
            return eval_call(e, Value());
        case ExprKind::kFilter: {
            EDGEAI_ASSIGN_OR_RETURN(Value input, eval(*e.args[0]));
            EDGEAI_ASSIGN_OR_RETURN(Args args, eval_args(e, 1));
            return apply_filter(rt_, e.name, input, args);
        }
        case ExprKind::kTest: {
            EDGEAI_ASSIGN_OR_RETURN(Value input, eval(*e.args[0]));
            EDGEAI_ASSIGN_OR_RETURN(Args args, eval_args(e, 1));
            EDGEAI_ASSIGN_OR_RETURN(const bool result, apply_test(rt_, e.name, input, args));
            return Value::boolean(result != e.negate);
        }
        case ExprKind::kUnary: {
            EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*e.args[0]));
            if (e.name == "not") return Value::boolean(!truthy(v));
            if (v.is_undefined()) return undefined_error(v);
            if (!v.is_number()) {
                return core::invalid_argument("bad operand type for unary " + e.name + ": '" +
                                              std::string(type_name(v)) + "'");
            }
            if (e.name == "+") return v.is_bool() ? Value::integer(v.as_int()) : v;
            if (v.is_float()) return Value::number(-v.as_float());
            if (v.as_int() == INT64_MIN) return core::invalid_argument("integer overflow");
            return Value::integer(-v.as_int());
        }
        case ExprKind::kBinary:
            return eval_binary(e);
        case ExprKind::kCompare: {
            EDGEAI_ASSIGN_OR_RETURN(Value left, eval(*e.args[0]));
            for (size_t i = 0; i < e.ops.size(); ++i) {
                EDGEAI_ASSIGN_OR_RETURN(Value right, eval(*e.args[i + 1]));
                EDGEAI_ASSIGN_OR_RETURN(const bool ok, compare_op(e.ops[i], left, right));
                if (!ok) return Value::boolean(false);
                left = std::move(right);
            }
            return Value::boolean(true);
        }
        case ExprKind::kCondition: {
            EDGEAI_ASSIGN_OR_RETURN(Value cond, eval(*e.args[0]));
            if (truthy(cond)) return eval(*e.args[1]);
            if (!e.args[2]) return Value::undefined("the condition was false and had no 'else'");
            return eval(*e.args[2]);
        }
        }
        return core::internal_error("unknown expression");
    }

    core::Result<Value> eval_binary(const Expr& e) {
        EDGEAI_ASSIGN_OR_RETURN(Value left, eval(*e.args[0]));
        // and/or return an operand, as Python's do.
        if (e.name == "and") return truthy(left) ? eval(*e.args[1]) : left;
        if (e.name == "or") return truthy(left) ? left : eval(*e.args[1]);
        EDGEAI_ASSIGN_OR_RETURN(Value right, eval(*e.args[1]));
        return binary_op(rt_, e.name, left, right);
    }

    core::Result<std::optional<int64_t>> slice_bound(const ExprPtr& e) {
        if (!e) return std::optional<int64_t>();
        EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*e));
        if (v.is_none()) return std::optional<int64_t>();
        if (!v.is_int() && !v.is_bool()) {
            return core::invalid_argument("slice indices must be integers or None, not " +
                                          std::string(type_name(v)));
        }
        return std::optional<int64_t>(v.as_int());
    }

    core::Result<Value> eval_slice(const Expr& e) {
        EDGEAI_ASSIGN_OR_RETURN(Value object, eval(*e.args[0]));
        EDGEAI_ASSIGN_OR_RETURN(auto start, slice_bound(e.args[1]));
        EDGEAI_ASSIGN_OR_RETURN(auto stop, slice_bound(e.args[2]));
        EDGEAI_ASSIGN_OR_RETURN(auto step, slice_bound(e.args[3]));
        if (step && *step == 0) return core::invalid_argument("slice step cannot be zero");
        if (object.is_undefined()) return undefined_error(object);
        if (object.is_string()) {
            const std::string& s = object.as_string();
            const std::vector<size_t> offsets = code_point_offsets(s);
            std::string out;
            for (size_t i : slice_indices(offsets.size() - 1, start, stop, step.value_or(1))) {
                out += s.substr(offsets[i], offsets[i + 1] - offsets[i]);
            }
            EDGEAI_TRY(rt_.spend(out.size() / 64));
            return Value::string(std::move(out));
        }
        if (!object.is_list()) {
            return core::invalid_argument("'" + std::string(type_name(object)) +
                                          "' object is not subscriptable");
        }
        List out;
        const List& items = object.as_list();
        for (size_t i : slice_indices(items.size(), start, stop, step.value_or(1))) {
            out.push_back(items[i]);
        }
        EDGEAI_TRY(rt_.spend(out.size()));
        return Value::list(std::move(out), object.is_tuple());
    }

    core::Result<Value> eval_call(const Expr& e, Value caller) {
        EDGEAI_ASSIGN_OR_RETURN(Value callee, eval(*e.args[0]));
        EDGEAI_ASSIGN_OR_RETURN(Args args, eval_args(e, 1));
        if (!caller.is_undefined()) args.named.emplace_back("caller", std::move(caller));
        if (callee.is_undefined()) return undefined_error(callee);
        if (!callee.is_callable()) {
            return core::invalid_argument("'" + std::string(type_name(callee)) +
                                          "' object is not callable");
        }
        const Callable& c = callee.as_callable();
        switch (c.kind) {
        case Callable::Kind::kGlobal:
            return call_global(rt_, c.name, args);
        case Callable::Kind::kMethod:
            return call_method(rt_, c.self, c.name, args);
        case Callable::Kind::kCycle:
            if (args.positional.empty()) return core::invalid_argument("loop.cycle() needs values");
            return args.positional[static_cast<size_t>(c.self.as_int()) % args.positional.size()];
        case Callable::Kind::kMacro:
        case Callable::Kind::kCaller:
            break;
        }
        return call_macro(c, args);
    }

    core::Result<Value> call_macro(const Callable& c, const Args& args) {
        if (++call_depth_ > rt_.limits().max_call_depth) {
            --call_depth_;
            return core::resource_exhausted("macro calls nested deeper than the limit of " +
                                            std::to_string(rt_.limits().max_call_depth));
        }
        // A macro sees its arguments and the template's globals; a caller body
        // sees the scope its call block was written in.
        const size_t parent = c.kind == Callable::Kind::kMacro ? 1 : c.frame;
        core::Result<Value> result = [&]() -> core::Result<Value> {
            Scope scope(*this, parent);
            const Stmt& s = *c.stmt;
            const std::string what =
                c.kind == Callable::Kind::kMacro ? "macro '" + c.name + "'" : "caller()";
            if (args.positional.size() > s.params.size()) {
                return core::invalid_argument(what + " takes " + std::to_string(s.params.size()) +
                                              " arguments, " +
                                              std::to_string(args.positional.size()) + " given");
            }
            for (const auto& [name, value] : args.named) {
                bool known = name == "caller";
                for (const std::string& p : s.params)
                    known = known || p == name;
                if (!known) {
                    return core::invalid_argument(what + " takes no keyword argument '" + name +
                                                  "'");
                }
                assign(name, value);
            }
            for (size_t i = 0; i < s.params.size(); ++i) {
                if (i < args.positional.size()) {
                    assign(s.params[i], args.positional[i]);
                } else if (lookup_here(s.params[i]) == nullptr) {
                    if (s.defaults[i]) {
                        EDGEAI_ASSIGN_OR_RETURN(Value v, eval(*s.defaults[i]));
                        assign(s.params[i], std::move(v));
                    } else {
                        assign(s.params[i], Value::undefined("parameter '" + s.params[i] +
                                                             "' was not provided"));
                    }
                }
            }
            std::string out;
            Flow flow = Flow::kNormal;
            EDGEAI_TRY(exec_body(s.body, out, flow));
            return Value::string(std::move(out));
        }();
        --call_depth_;
        return result;
    }

    const Value* lookup_here(std::string_view name) const {
        for (const auto& entry : frames_[current_].vars) {
            if (entry.first == name) return &entry.second;
        }
        return nullptr;
    }

    Runtime rt_;
    std::vector<Frame> frames_;
    size_t current_ = 0;
    int call_depth_ = 0;
};

} // namespace

core::Result<ChatTemplate> ChatTemplate::parse(std::string_view source,
                                               const TemplateLimits& limits) {
    if (source.size() > limits.max_source_bytes) {
        return core::invalid_argument("the chat template is " + std::to_string(source.size()) +
                                      " bytes, more than the limit of " +
                                      std::to_string(limits.max_source_bytes));
    }
    EDGEAI_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(source));
    auto parsed = std::make_shared<Parsed>();
    EDGEAI_ASSIGN_OR_RETURN(parsed->body, parse_template(tokens));
    return ChatTemplate(std::move(parsed));
}

core::Result<std::string> ChatTemplate::render(const Dict& variables,
                                               const RenderOptions& options) const {
    Interpreter interpreter(options, variables);
    return interpreter.render(parsed_->body);
}

} // namespace edgeai::engine::tmpl
