// Builds the statement tree of a template from its tokens, with Jinja's
// operator precedence (filters and tests bind tighter than arithmetic:
// `messages|length - 1` is `(messages|length) - 1`). What the interpreter does
// not run (include, import, extends, block, recursive loops, ...) is refused
// here, naming the construct and its line.
#pragma once

#include "core/result.h"
#include "engine/template/ast.h"
#include "engine/template/lexer.h"

#include <vector>

namespace edgeai::engine::tmpl {

// How deeply statements and expressions may nest (parentheses, filters,
// blocks): each level is a frame of the recursive parser and interpreter.
constexpr int kMaxNesting = 64;

core::Result<Body> parse_template(const std::vector<Token>& tokens);

} // namespace edgeai::engine::tmpl
