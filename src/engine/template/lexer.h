// Splits a template into text and the tokens of its tags, applying Jinja's
// whitespace rules as Hugging Face configures them: trim_blocks (the newline
// after a block or comment tag goes), lstrip_blocks (spaces before a block or
// comment tag on its own line go), `-` on a tag strips all whitespace on that
// side, `+` keeps it, and one trailing newline of the source is dropped
// (keep_trailing_newline is off).
#pragma once

#include "core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::tmpl {

enum class TokenKind {
    kText,       // literal output
    kVarBegin,   // {{
    kVarEnd,     // }}
    kBlockBegin, // {%
    kBlockEnd,   // %}
    kName,
    kString, // text holds the unescaped value
    kInteger,
    kFloat,
    kOperator, // + - * / // % ** ~ == != < > <= >= ( ) [ ] { } , . : | =
    kEnd,
};

struct Token {
    TokenKind kind;
    std::string text;
    int line;
};

// Errors name the line: an unterminated tag, string or comment, or a
// character no expression can hold.
core::Result<std::vector<Token>> tokenize(std::string_view source);

} // namespace edgeai::engine::tmpl
