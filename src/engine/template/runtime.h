// What the interpreter and its builtins (filters, tests, methods, globals)
// share while one render runs: the limits and the work spent against them,
// arguments as a call passes them, and callables.
#pragma once

#include "core/result.h"
#include "engine/template/template.h"
#include "engine/template/value.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeai::engine::tmpl {

struct Args {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> named;

    // The argument at `index`, or else the one named `name`; nullptr if neither.
    const Value* get(size_t index, std::string_view name) const;
};

struct Callable {
    enum class Kind {
        kMacro,  // stmt is the macro
        kCaller, // stmt is the call block; frame is where its body renders
        kGlobal, // name is range, namespace, dict, raise_exception, ...
        kMethod, // name is a method of self (str.strip, dict.items, ...)
        kCycle,  // loop.cycle: self is the iteration's index0
    };
    Kind kind;
    const Stmt* stmt = nullptr;
    std::string name;
    Value self;
    size_t frame = 0;
};

class Runtime {
  public:
    explicit Runtime(const RenderOptions& options) : options_(options) {}

    const RenderOptions& options() const { return options_; }
    const TemplateLimits& limits() const { return options_.limits; }

    core::Status spend(uint64_t steps) {
        steps_ += steps;
        if (steps_ <= options_.limits.max_steps) return {};
        return core::resource_exhausted("the chat template did more work than its limit of " +
                                        std::to_string(options_.limits.max_steps) + " steps");
    }
    core::Status count_iteration() {
        if (++iterations_ <= options_.limits.max_loop_iterations) return spend(1);
        return core::resource_exhausted("the chat template ran more loop iterations than its "
                                        "limit of " +
                                        std::to_string(options_.limits.max_loop_iterations));
    }
    core::Status check_string(size_t bytes) const {
        if (bytes <= options_.limits.max_output_bytes) return {};
        return core::resource_exhausted("the chat template built a string larger than its limit "
                                        "of " +
                                        std::to_string(options_.limits.max_output_bytes) +
                                        " bytes");
    }
    core::Status check_items(size_t items) const {
        if (items <= options_.limits.max_items) return {};
        return core::resource_exhausted("the chat template built a list or dict larger than its "
                                        "limit of " +
                                        std::to_string(options_.limits.max_items) + " items");
    }

  private:
    const RenderOptions& options_;
    uint64_t steps_ = 0;
    uint64_t iterations_ = 0;
};

// Jinja's attribute lookup (x.name): a dict's or namespace's member, a bound
// method of a string or dict, else undefined. Looking into an undefined value
// is an error.
core::Result<Value> get_attribute(const Value& object, std::string_view name);
// Jinja's subscript (x[key]): list and string indices (negative from the
// end), dict members, then attributes; undefined when absent.
core::Result<Value> get_item(const Value& object, const Value& key);

// The error for using an undefined value where a defined one is needed.
core::Status undefined_error(const Value& v);

// Python's binary operators (+ - * / // % ** and ~) and comparisons.
core::Result<Value> binary_op(Runtime& rt, std::string_view op, const Value& a, const Value& b);
core::Result<bool> compare_op(std::string_view op, const Value& a, const Value& b);
// -1, 0 or 1 for Python's <, for sorting: numbers, strings, lists.
core::Result<int> compare_values(const Value& a, const Value& b);
// Iteration as a for loop sees it: list items, dict keys, string code points.
core::Result<List> iterate(const Value& v);

// Builtins, by name. Each returns kNotFound when it does not know the name,
// so the interpreter can say which kind of name was unknown.
core::Result<Value> apply_filter(Runtime& rt, std::string_view name, const Value& input,
                                 const Args& args);
core::Result<bool> apply_test(Runtime& rt, std::string_view name, const Value& input,
                              const Args& args);
bool is_global_function(std::string_view name);
core::Result<Value> call_global(Runtime& rt, std::string_view name, const Args& args);
bool has_method(const Value& self, std::string_view name);
core::Result<Value> call_method(Runtime& rt, const Value& self, std::string_view name,
                                const Args& args);

// strftime for the formats templates use (%Y %m %d %H %M %S %B %b %A %a %y
// %j %p %I %e %%).
core::Result<std::string> format_time(const DateTime& t, std::string_view format);

} // namespace edgeai::engine::tmpl
