// The parsed form of a template: expressions and statements as tagged nodes
// (the core has no RTTI, so a kind field rather than a class hierarchy).
// Every node keeps its source line for error messages.
#pragma once

#include "engine/template/value.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::tmpl {

// The name a {% filter %} block's text is bound to while its filters run.
inline constexpr std::string_view kFilterBodyName = "\x01filter body";

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
    kLiteral,   // value
    kName,      // name
    kList,      // args: items
    kTuple,     // args: items
    kDict,      // args: key, value, key, value, ...
    kAttribute, // args[0].name
    kItem,      // args[0][args[1]]
    kSlice,     // args[0][args[1]:args[2]:args[3]] (absent parts are null)
    kCall,      // args[0](args[1..], kwargs)
    kFilter,    // args[0] | name(args[1..], kwargs)
    kTest,      // args[0] is [not] name(args[1..]); negate
    kUnary,     // op args[0]: "not", "-", "+"
    kBinary,    // args[0] op args[1]: arithmetic, "~", "and", "or", "in", "not in"
    kCompare,   // args[0] ops[0] args[1] ops[1] args[2] ... (chained)
    kCondition, // args[1] if args[0] else args[2] (args[2] null: undefined)
};

struct Expr {
    ExprKind kind;
    int line = 0;
    Value value;
    std::string name; // name, attribute, filter, test or operator
    bool negate = false;
    std::vector<ExprPtr> args;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
    std::vector<std::string> ops; // kCompare's operators
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

enum class StmtKind {
    kText,        // text
    kOutput,      // {{ expr }}
    kIf,          // if expr: body else else_body (elif is an if in else_body)
    kFor,         // for targets in expr [if filter]: body else else_body
    kSet,         // set targets = expr, or set target.attribute = expr
    kSetBlock,    // set target %} body {% endset
    kMacro,       // macro name(params=defaults): body
    kCallBlock,   // call(params) expr: body (the caller)
    kFilterBlock, // filter expr: body (expr's first arg is the body's text)
    kBreak,
    kContinue,
    kBlock, // a body rendered in place ({% generation %})
};

struct Stmt {
    StmtKind kind;
    int line = 0;
    std::string text;
    ExprPtr expr;
    ExprPtr filter;
    std::vector<std::string> targets;
    std::string attribute; // set target.attribute
    std::vector<std::string> params;
    std::vector<ExprPtr> defaults; // one per param, null when none
    Body body;
    Body else_body;
};

} // namespace edgeai::engine::tmpl
