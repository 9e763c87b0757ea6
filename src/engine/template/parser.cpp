#include "engine/template/parser.h"

#include <cerrno>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

namespace edgeai::engine::tmpl {

namespace {

// The statement tags a body can end at, and the construct each closes.
using Enders = std::initializer_list<std::string_view>;

class Parser {
  public:
    explicit Parser(const std::vector<Token>& tokens) : t_(tokens) {}

    core::Result<Body> run() {
        Body body;
        std::string ender;
        EDGEAI_TRY(parse_body(body, {}, &ender));
        return body;
    }

  private:
    // ---- tokens ----
    const Token& cur() const { return t_[pos_]; }
    const Token& peek(size_t ahead = 1) const {
        return t_[pos_ + ahead < t_.size() ? pos_ + ahead : t_.size() - 1];
    }
    void advance() {
        if (pos_ + 1 < t_.size()) ++pos_;
    }
    bool is_op(std::string_view op) const {
        return cur().kind == TokenKind::kOperator && cur().text == op;
    }
    bool is_name(std::string_view name) const {
        return cur().kind == TokenKind::kName && cur().text == name;
    }
    bool skip_op(std::string_view op) {
        if (!is_op(op)) return false;
        advance();
        return true;
    }
    bool skip_name(std::string_view name) {
        if (!is_name(name)) return false;
        advance();
        return true;
    }

    std::string describe(const Token& tok) const {
        switch (tok.kind) {
        case TokenKind::kText:
            return "text";
        case TokenKind::kVarBegin:
            return "'{{'";
        case TokenKind::kVarEnd:
            return "'}}'";
        case TokenKind::kBlockBegin:
            return "'{%'";
        case TokenKind::kBlockEnd:
            return "'%}'";
        case TokenKind::kEnd:
            return "the end of the template";
        case TokenKind::kString:
            return "a string";
        default:
            break;
        }
        return "'" + tok.text + "'";
    }

    core::Status error_at(int line, const std::string& what) const {
        return core::invalid_argument("chat template line " + std::to_string(line) + ": " + what);
    }
    core::Status expected(const std::string& what) const {
        return error_at(cur().line, "expected " + what + ", found " + describe(cur()));
    }
    core::Status expect_op(std::string_view op) {
        if (skip_op(op)) return {};
        return expected("'" + std::string(op) + "'");
    }
    core::Status expect_block_end(std::string_view statement) {
        if (cur().kind == TokenKind::kBlockEnd) {
            advance();
            return {};
        }
        return expected("'%}' to end '" + std::string(statement) + "'");
    }
    core::Result<std::string> expect_name(const std::string& what) {
        if (cur().kind != TokenKind::kName) return expected(what);
        std::string name = cur().text;
        advance();
        return name;
    }

    struct Depth {
        explicit Depth(int& d) : d_(d) { ++d_; }
        ~Depth() { --d_; }
        int& d_;
    };
    core::Status check_depth() const {
        if (depth_ <= kMaxNesting) return {};
        return error_at(cur().line,
                        "nested more than " + std::to_string(kMaxNesting) + " levels deep");
    }

    // ---- statements ----

    // Parses statements until a block tag named in `enders` (left after its
    // name) or, with no enders, the end of the template.
    core::Status parse_body(Body& body, Enders enders, std::string* ender) {
        Depth guard(depth_);
        EDGEAI_TRY(check_depth());
        while (true) {
            const Token& tok = cur();
            switch (tok.kind) {
            case TokenKind::kEnd:
                if (enders.size() == 0) return {};
                return error_at(tok.line, "the template ended inside a block: expected '" +
                                              std::string(*enders.begin()) + "'");
            case TokenKind::kText: {
                auto s = std::make_unique<Stmt>();
                s->kind = StmtKind::kText;
                s->line = tok.line;
                s->text = tok.text;
                body.push_back(std::move(s));
                advance();
                break;
            }
            case TokenKind::kVarBegin: {
                advance();
                auto s = std::make_unique<Stmt>();
                s->kind = StmtKind::kOutput;
                s->line = tok.line;
                EDGEAI_ASSIGN_OR_RETURN(s->expr, parse_tuple(true));
                if (cur().kind != TokenKind::kVarEnd) return expected("'}}'");
                advance();
                body.push_back(std::move(s));
                break;
            }
            case TokenKind::kBlockBegin: {
                advance();
                if (cur().kind != TokenKind::kName) return expected("a statement name");
                const std::string name = cur().text;
                for (std::string_view e : enders) {
                    if (name == e) {
                        advance();
                        *ender = name;
                        return {};
                    }
                }
                EDGEAI_TRY(parse_statement(body));
                break;
            }
            default:
                return expected("text or a tag");
            }
        }
    }

    core::Status parse_statement(Body& body) {
        const int line = cur().line;
        const std::string name = cur().text;
        auto s = std::make_unique<Stmt>();
        s->line = line;
        advance();
        if (name == "if") {
            EDGEAI_TRY(parse_if(*s));
        } else if (name == "for") {
            EDGEAI_TRY(parse_for(*s));
        } else if (name == "set") {
            EDGEAI_TRY(parse_set(*s));
        } else if (name == "macro") {
            EDGEAI_TRY(parse_macro(*s));
        } else if (name == "call") {
            EDGEAI_TRY(parse_call_block(*s));
        } else if (name == "filter") {
            EDGEAI_TRY(parse_filter_block(*s));
        } else if (name == "break" || name == "continue") {
            if (loops_ == 0) return error_at(line, "'" + name + "' outside a 'for' loop");
            s->kind = name == "break" ? StmtKind::kBreak : StmtKind::kContinue;
            EDGEAI_TRY(expect_block_end(name));
        } else if (name == "generation") {
            // Hugging Face's marker of assistant text: rendered in place.
            s->kind = StmtKind::kBlock;
            EDGEAI_TRY(expect_block_end(name));
            std::string ender;
            EDGEAI_TRY(parse_body(s->body, {"endgeneration"}, &ender));
            EDGEAI_TRY(expect_block_end("endgeneration"));
        } else if (name == "include" || name == "import" || name == "from" || name == "extends" ||
                   name == "block" || name == "do" || name == "with" || name == "autoescape" ||
                   name == "trans" || name == "print") {
            return error_at(line,
                            "the '" + name + "' statement is not supported in chat templates");
        } else {
            return error_at(line, "unknown statement '" + name + "'");
        }
        body.push_back(std::move(s));
        return {};
    }

    core::Status parse_if(Stmt& s) {
        s.kind = StmtKind::kIf;
        EDGEAI_ASSIGN_OR_RETURN(s.expr, parse_tuple(true));
        EDGEAI_TRY(expect_block_end("if"));
        std::string ender;
        EDGEAI_TRY(parse_body(s.body, {"elif", "else", "endif"}, &ender));
        if (ender == "elif") {
            auto elif = std::make_unique<Stmt>();
            elif->line = t_[pos_ - 1].line;
            EDGEAI_TRY(parse_if(*elif));
            s.else_body.push_back(std::move(elif));
            return {};
        }
        if (ender == "else") {
            EDGEAI_TRY(expect_block_end("else"));
            EDGEAI_TRY(parse_body(s.else_body, {"endif"}, &ender));
        }
        return expect_block_end("endif");
    }

    core::Status parse_targets(Stmt& s, std::string_view statement) {
        const bool parenthesized = skip_op("(");
        do {
            EDGEAI_ASSIGN_OR_RETURN(std::string target, expect_name("a variable name after '" +
                                                                    std::string(statement) + "'"));
            s.targets.push_back(std::move(target));
        } while (skip_op(","));
        if (parenthesized) EDGEAI_TRY(expect_op(")"));
        return {};
    }

    core::Status parse_for(Stmt& s) {
        s.kind = StmtKind::kFor;
        EDGEAI_TRY(parse_targets(s, "for"));
        if (!skip_name("in")) return expected("'in' in 'for'");
        EDGEAI_ASSIGN_OR_RETURN(s.expr, parse_tuple(false));
        if (skip_name("if")) {
            EDGEAI_ASSIGN_OR_RETURN(s.filter, parse_expression(true));
        }
        if (is_name("recursive")) {
            return error_at(cur().line, "recursive 'for' loops are not supported");
        }
        EDGEAI_TRY(expect_block_end("for"));
        std::string ender;
        ++loops_;
        core::Status st = parse_body(s.body, {"else", "endfor"}, &ender);
        --loops_;
        EDGEAI_TRY(st);
        if (ender == "else") {
            EDGEAI_TRY(expect_block_end("else"));
            EDGEAI_TRY(parse_body(s.else_body, {"endfor"}, &ender));
        }
        return expect_block_end("endfor");
    }

    core::Status parse_set(Stmt& s) {
        s.kind = StmtKind::kSet;
        EDGEAI_TRY(parse_targets(s, "set"));
        if (s.targets.size() == 1 && skip_op(".")) {
            EDGEAI_ASSIGN_OR_RETURN(s.attribute, expect_name("an attribute name after '.'"));
        }
        if (skip_op("=")) {
            EDGEAI_ASSIGN_OR_RETURN(s.expr, parse_tuple(true));
            return expect_block_end("set");
        }
        if (s.targets.size() != 1 || !s.attribute.empty()) return expected("'='");
        s.kind = StmtKind::kSetBlock;
        EDGEAI_TRY(expect_block_end("set"));
        std::string ender;
        EDGEAI_TRY(parse_body(s.body, {"endset"}, &ender));
        return expect_block_end("endset");
    }

    core::Status parse_params(Stmt& s) {
        EDGEAI_TRY(expect_op("("));
        while (!is_op(")")) {
            if (!s.params.empty()) EDGEAI_TRY(expect_op(","));
            if (is_op(")")) break;
            EDGEAI_ASSIGN_OR_RETURN(std::string param, expect_name("a parameter name"));
            s.params.push_back(std::move(param));
            ExprPtr def;
            if (skip_op("=")) {
                EDGEAI_ASSIGN_OR_RETURN(def, parse_expression(true));
            }
            s.defaults.push_back(std::move(def));
        }
        advance();
        return {};
    }

    core::Status parse_macro(Stmt& s) {
        s.kind = StmtKind::kMacro;
        EDGEAI_ASSIGN_OR_RETURN(s.text, expect_name("a macro name"));
        EDGEAI_TRY(parse_params(s));
        EDGEAI_TRY(expect_block_end("macro"));
        std::string ender;
        const int loops = loops_;
        loops_ = 0;
        core::Status st = parse_body(s.body, {"endmacro"}, &ender);
        loops_ = loops;
        EDGEAI_TRY(st);
        if (cur().kind == TokenKind::kName) advance(); // {% endmacro name %}
        return expect_block_end("endmacro");
    }

    core::Status parse_call_block(Stmt& s) {
        s.kind = StmtKind::kCallBlock;
        if (is_op("(")) EDGEAI_TRY(parse_params(s));
        EDGEAI_ASSIGN_OR_RETURN(s.expr, parse_expression(true));
        if (s.expr->kind != ExprKind::kCall) {
            return error_at(s.line, "'call' needs a macro call, as in {% call m() %}");
        }
        EDGEAI_TRY(expect_block_end("call"));
        std::string ender;
        const int loops = loops_;
        loops_ = 0;
        core::Status st = parse_body(s.body, {"endcall"}, &ender);
        loops_ = loops;
        EDGEAI_TRY(st);
        return expect_block_end("endcall");
    }

    core::Status parse_filter_block(Stmt& s) {
        s.kind = StmtKind::kFilterBlock;
        auto body = std::make_unique<Expr>();
        body->kind = ExprKind::kName;
        body->line = s.line;
        body->name = std::string(kFilterBodyName);
        ExprPtr chain = std::move(body);
        do {
            EDGEAI_ASSIGN_OR_RETURN(chain, parse_filter(std::move(chain)));
        } while (skip_op("|"));
        s.expr = std::move(chain);
        EDGEAI_TRY(expect_block_end("filter"));
        std::string ender;
        EDGEAI_TRY(parse_body(s.body, {"endfilter"}, &ender));
        return expect_block_end("endfilter");
    }

    // ---- expressions ----

    ExprPtr node(ExprKind kind, int line) {
        auto e = std::make_unique<Expr>();
        e->kind = kind;
        e->line = line;
        return e;
    }

    bool starts_expression() const {
        switch (cur().kind) {
        case TokenKind::kName:
        case TokenKind::kString:
        case TokenKind::kInteger:
        case TokenKind::kFloat:
            return true;
        case TokenKind::kOperator:
            return cur().text == "(" || cur().text == "[" || cur().text == "{" ||
                   cur().text == "-" || cur().text == "+";
        default:
            return false;
        }
    }

    // An expression, or several separated by commas (a tuple).
    core::Result<ExprPtr> parse_tuple(bool with_condition) {
        const int line = cur().line;
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr first, parse_expression(with_condition));
        if (!is_op(",")) return first;
        ExprPtr tuple = node(ExprKind::kTuple, line);
        tuple->args.push_back(std::move(first));
        while (skip_op(",")) {
            if (!starts_expression()) break;
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr item, parse_expression(with_condition));
            tuple->args.push_back(std::move(item));
        }
        return tuple;
    }

    core::Result<ExprPtr> parse_expression(bool with_condition) {
        Depth guard(depth_);
        EDGEAI_TRY(check_depth());
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr e, parse_or());
        if (!with_condition) return e;
        while (is_name("if")) {
            const int line = cur().line;
            advance();
            ExprPtr cond = node(ExprKind::kCondition, line);
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr test, parse_or());
            cond->args.push_back(std::move(test));
            cond->args.push_back(std::move(e));
            ExprPtr otherwise;
            if (skip_name("else")) {
                EDGEAI_ASSIGN_OR_RETURN(otherwise, parse_expression(true));
            }
            cond->args.push_back(std::move(otherwise));
            e = std::move(cond);
        }
        return e;
    }

    ExprPtr binary(std::string op, ExprPtr left, ExprPtr right, int line) {
        ExprPtr b = node(ExprKind::kBinary, line);
        b->name = std::move(op);
        b->args.push_back(std::move(left));
        b->args.push_back(std::move(right));
        return b;
    }

    core::Result<ExprPtr> parse_or() {
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr e, parse_and());
        while (is_name("or")) {
            const int line = cur().line;
            advance();
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr right, parse_and());
            e = binary("or", std::move(e), std::move(right), line);
        }
        return e;
    }

    core::Result<ExprPtr> parse_and() {
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr e, parse_not());
        while (is_name("and")) {
            const int line = cur().line;
            advance();
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr right, parse_not());
            e = binary("and", std::move(e), std::move(right), line);
        }
        return e;
    }

    core::Result<ExprPtr> parse_not() {
        if (is_name("not")) {
            Depth guard(depth_);
            EDGEAI_TRY(check_depth());
            ExprPtr n = node(ExprKind::kUnary, cur().line);
            n->name = "not";
            advance();
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr operand, parse_not());
            n->args.push_back(std::move(operand));
            return n;
        }
        return parse_compare();
    }

    core::Result<ExprPtr> parse_compare() {
        const int line = cur().line;
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr first, parse_math1());
        ExprPtr cmp;
        while (true) {
            std::string op;
            if (cur().kind == TokenKind::kOperator &&
                (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                 cur().text == ">" || cur().text == "<=" || cur().text == ">=")) {
                op = cur().text;
                advance();
            } else if (is_name("in")) {
                op = "in";
                advance();
            } else if (is_name("not") && peek().kind == TokenKind::kName && peek().text == "in") {
                op = "not in";
                advance();
                advance();
            } else {
                break;
            }
            if (!cmp) {
                cmp = node(ExprKind::kCompare, line);
                cmp->args.push_back(std::move(first));
            }
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr right, parse_math1());
            cmp->ops.push_back(std::move(op));
            cmp->args.push_back(std::move(right));
        }
        if (cmp) return cmp;
        return first;
    }

    core::Result<ExprPtr> parse_math1() {
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr e, parse_concat());
        while (is_op("+") || is_op("-")) {
            const std::string op = cur().text;
            const int line = cur().line;
            advance();
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr right, parse_concat());
            e = binary(op, std::move(e), std::move(right), line);
        }
        return e;
    }

    core::Result<ExprPtr> parse_concat() {
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr e, parse_math2());
        while (is_op("~")) {
            const int line = cur().line;
            advance();
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr right, parse_math2());
            e = binary("~", std::move(e), std::move(right), line);
        }
        return e;
    }

    core::Result<ExprPtr> parse_math2() {
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr e, parse_pow());
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            const std::string op = cur().text;
            const int line = cur().line;
            advance();
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr right, parse_pow());
            e = binary(op, std::move(e), std::move(right), line);
        }
        return e;
    }

    core::Result<ExprPtr> parse_pow() {
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr e, parse_unary(true));
        while (is_op("**")) {
            const int line = cur().line;
            advance();
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr right, parse_unary(true));
            e = binary("**", std::move(e), std::move(right), line);
        }
        return e;
    }

    core::Result<ExprPtr> parse_unary(bool with_filter) {
        Depth guard(depth_);
        EDGEAI_TRY(check_depth());
        ExprPtr e;
        if (is_op("-") || is_op("+")) {
            e = node(ExprKind::kUnary, cur().line);
            e->name = cur().text;
            advance();
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr operand, parse_unary(false));
            e->args.push_back(std::move(operand));
        } else {
            EDGEAI_ASSIGN_OR_RETURN(e, parse_primary());
        }
        EDGEAI_ASSIGN_OR_RETURN(e, parse_postfix(std::move(e)));
        if (!with_filter) return e;
        return parse_filter_expr(std::move(e));
    }

    core::Result<ExprPtr> parse_primary() {
        const Token& tok = cur();
        const int line = tok.line;
        switch (tok.kind) {
        case TokenKind::kName: {
            ExprPtr e = node(ExprKind::kLiteral, line);
            if (tok.text == "true" || tok.text == "True") {
                e->value = Value::boolean(true);
            } else if (tok.text == "false" || tok.text == "False") {
                e->value = Value::boolean(false);
            } else if (tok.text == "none" || tok.text == "None") {
                e->value = Value::none();
            } else {
                e->kind = ExprKind::kName;
                e->name = tok.text;
            }
            advance();
            return e;
        }
        case TokenKind::kString: {
            std::string s;
            while (cur().kind == TokenKind::kString) { // adjacent literals join
                s += cur().text;
                advance();
            }
            ExprPtr e = node(ExprKind::kLiteral, line);
            e->value = Value::string(std::move(s));
            return e;
        }
        case TokenKind::kInteger: {
            errno = 0;
            const long long v = std::strtoll(tok.text.c_str(), nullptr, 10);
            if (errno == ERANGE) return error_at(line, "integer literal out of range");
            ExprPtr e = node(ExprKind::kLiteral, line);
            e->value = Value::integer(v);
            advance();
            return e;
        }
        case TokenKind::kFloat: {
            ExprPtr e = node(ExprKind::kLiteral, line);
            e->value = Value::number(std::strtod(tok.text.c_str(), nullptr));
            advance();
            return e;
        }
        case TokenKind::kOperator:
            if (tok.text == "(") return parse_parenthesized();
            if (tok.text == "[") return parse_list();
            if (tok.text == "{") return parse_dict();
            break;
        default:
            break;
        }
        return expected("an expression");
    }

    core::Result<ExprPtr> parse_parenthesized() {
        const int line = cur().line;
        advance();
        if (skip_op(")")) return node(ExprKind::kTuple, line);
        EDGEAI_ASSIGN_OR_RETURN(ExprPtr first, parse_expression(true));
        if (skip_op(")")) return first;
        ExprPtr tuple = node(ExprKind::kTuple, line);
        tuple->args.push_back(std::move(first));
        while (skip_op(",")) {
            if (is_op(")")) break;
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr item, parse_expression(true));
            tuple->args.push_back(std::move(item));
        }
        EDGEAI_TRY(expect_op(")"));
        return tuple;
    }

    core::Result<ExprPtr> parse_list() {
        ExprPtr list = node(ExprKind::kList, cur().line);
        advance();
        while (!is_op("]")) {
            if (!list->args.empty()) EDGEAI_TRY(expect_op(","));
            if (is_op("]")) break;
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr item, parse_expression(true));
            list->args.push_back(std::move(item));
        }
        advance();
        return list;
    }

    core::Result<ExprPtr> parse_dict() {
        ExprPtr dict = node(ExprKind::kDict, cur().line);
        advance();
        while (!is_op("}")) {
            if (!dict->args.empty()) EDGEAI_TRY(expect_op(","));
            if (is_op("}")) break;
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr key, parse_expression(true));
            EDGEAI_TRY(expect_op(":"));
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr value, parse_expression(true));
            dict->args.push_back(std::move(key));
            dict->args.push_back(std::move(value));
        }
        advance();
        return dict;
    }

    core::Result<ExprPtr> parse_postfix(ExprPtr e) {
        while (true) {
            const int line = cur().line;
            if (skip_op(".")) {
                if (cur().kind == TokenKind::kInteger) { // x.0 is x[0]
                    ExprPtr item = node(ExprKind::kItem, line);
                    item->args.push_back(std::move(e));
                    EDGEAI_ASSIGN_OR_RETURN(ExprPtr index, parse_primary());
                    item->args.push_back(std::move(index));
                    e = std::move(item);
                    continue;
                }
                ExprPtr attr = node(ExprKind::kAttribute, line);
                EDGEAI_ASSIGN_OR_RETURN(attr->name, expect_name("an attribute name after '.'"));
                attr->args.push_back(std::move(e));
                e = std::move(attr);
            } else if (is_op("[")) {
                advance();
                EDGEAI_ASSIGN_OR_RETURN(e, parse_subscript(std::move(e), line));
            } else if (is_op("(")) {
                EDGEAI_ASSIGN_OR_RETURN(e, parse_call(std::move(e)));
            } else {
                return e;
            }
        }
    }

    core::Result<ExprPtr> parse_subscript(ExprPtr target, int line) {
        ExprPtr parts[3];
        int colons = 0;
        while (!is_op("]")) {
            if (skip_op(":")) {
                if (++colons > 2) return expected("']'");
                continue;
            }
            if (parts[colons]) return expected("':' or ']'");
            EDGEAI_ASSIGN_OR_RETURN(parts[colons], parse_expression(true));
        }
        advance();
        if (colons == 0) {
            if (!parts[0]) return error_at(line, "empty subscript '[]'");
            ExprPtr item = node(ExprKind::kItem, line);
            item->args.push_back(std::move(target));
            item->args.push_back(std::move(parts[0]));
            return item;
        }
        ExprPtr slice = node(ExprKind::kSlice, line);
        slice->args.push_back(std::move(target));
        for (ExprPtr& p : parts)
            slice->args.push_back(std::move(p));
        return slice;
    }

    // Arguments in parentheses into e's args (after those it has) and kwargs.
    core::Status parse_arguments(Expr& e) {
        EDGEAI_TRY(expect_op("("));
        bool first = true;
        while (!is_op(")")) {
            if (!first) EDGEAI_TRY(expect_op(","));
            first = false;
            if (is_op(")")) break;
            if (is_op("*") || is_op("**")) {
                return error_at(cur().line, "'*' and '**' arguments are not supported");
            }
            if (cur().kind == TokenKind::kName && peek().kind == TokenKind::kOperator &&
                peek().text == "=") {
                std::string key = cur().text;
                advance();
                advance();
                EDGEAI_ASSIGN_OR_RETURN(ExprPtr value, parse_expression(true));
                e.kwargs.emplace_back(std::move(key), std::move(value));
                continue;
            }
            if (!e.kwargs.empty()) {
                return error_at(cur().line, "a positional argument after a keyword argument");
            }
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr arg, parse_expression(true));
            e.args.push_back(std::move(arg));
        }
        advance();
        return {};
    }

    core::Result<ExprPtr> parse_call(ExprPtr callee) {
        ExprPtr call = node(ExprKind::kCall, cur().line);
        call->args.push_back(std::move(callee));
        EDGEAI_TRY(parse_arguments(*call));
        return call;
    }

    core::Result<ExprPtr> parse_filter(ExprPtr input) {
        ExprPtr f = node(ExprKind::kFilter, cur().line);
        EDGEAI_ASSIGN_OR_RETURN(f->name, expect_name("a filter name after '|'"));
        f->args.push_back(std::move(input));
        if (is_op("(")) EDGEAI_TRY(parse_arguments(*f));
        return f;
    }

    core::Result<ExprPtr> parse_filter_expr(ExprPtr e) {
        while (true) {
            if (skip_op("|")) {
                EDGEAI_ASSIGN_OR_RETURN(e, parse_filter(std::move(e)));
            } else if (is_name("is")) {
                EDGEAI_ASSIGN_OR_RETURN(e, parse_test(std::move(e)));
            } else if (is_op("(")) {
                EDGEAI_ASSIGN_OR_RETURN(e, parse_call(std::move(e)));
            } else {
                return e;
            }
        }
    }

    core::Result<ExprPtr> parse_test(ExprPtr input) {
        ExprPtr t = node(ExprKind::kTest, cur().line);
        advance(); // is
        t->negate = skip_name("not");
        EDGEAI_ASSIGN_OR_RETURN(t->name, expect_name("a test name after 'is'"));
        t->args.push_back(std::move(input));
        if (is_op("(")) {
            EDGEAI_TRY(parse_arguments(*t));
        } else if ((cur().kind == TokenKind::kName || cur().kind == TokenKind::kString ||
                    cur().kind == TokenKind::kInteger || cur().kind == TokenKind::kFloat ||
                    is_op("[") || is_op("{")) &&
                   !is_name("else") && !is_name("or") && !is_name("and") && !is_name("is") &&
                   !is_name("if")) {
            EDGEAI_ASSIGN_OR_RETURN(ExprPtr arg, parse_primary());
            EDGEAI_ASSIGN_OR_RETURN(arg, parse_postfix(std::move(arg)));
            t->args.push_back(std::move(arg));
        }
        return t;
    }

    const std::vector<Token>& t_;
    size_t pos_ = 0;
    int depth_ = 0;
    int loops_ = 0;
};

} // namespace

core::Result<Body> parse_template(const std::vector<Token>& tokens) {
    return Parser(tokens).run();
}

} // namespace edgeai::engine::tmpl
