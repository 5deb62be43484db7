// Printer: ast::Expr -> equation text (sim/expr.hpp). Round trip
// same(parse(print(e)), e) is property-tested (tests/unit/test_printer.cpp).
//
// Each node has a binding level mirroring the parser's (parser.cpp): OR 1,
// AND 2, NOT 3, comparisons 4, + - 5, * / MOD 6, unary - + 7, ^ 8, operands
// 9, IF 0. A slot accepts, without parentheses, nodes whose level is at least
// the slot's: the left operand of a left-associative operator at level p
// takes p, the right one p + 1; `^` takes 9 on its left and 7 on its right;
// a unary minus takes 7; NOT takes 4 but is itself bare only in slots of
// level 3 or less (its operand extends as far as a comparison does).
#include <cmath>
#include <string>
#include <type_traits>
#include <variant>

#include "lang/builtins.hpp"
#include "lang/lexer.hpp"
#include "sim/expr.hpp"
#include "util/text.hpp"

namespace sim::ast {
namespace {

int binary_level(Op op) {
    switch (op) {
        case Op::or_: return 1;
        case Op::and_: return 2;
        case Op::eq: case Op::ne: case Op::lt: case Op::le: case Op::gt: case Op::ge: return 4;
        case Op::add: case Op::sub: return 5;
        case Op::mul: case Op::div: case Op::mod: return 6;
        case Op::pow: return 8;
        default: return 9;
    }
}

const char* symbol(Op op) {
    switch (op) {
        case Op::add: return " + ";
        case Op::sub: return " - ";
        case Op::mul: return " * ";
        case Op::div: return " / ";
        case Op::pow: return " ^ ";
        case Op::mod: return " MOD ";
        case Op::eq: return " = ";
        case Op::ne: return " <> ";
        case Op::lt: return " < ";
        case Op::le: return " <= ";
        case Op::gt: return " > ";
        case Op::ge: return " >= ";
        case Op::and_: return " AND ";
        case Op::or_: return " OR ";
        case Op::neg: return "-";
        case Op::pos: return "+";
        case Op::not_: return "NOT ";
    }
    return "?";
}

class Printer {
public:
    explicit Printer(const Expr& e) : e_(e) {}

    std::string run(NodeId id) {
        emit(id, 0);
        return std::move(out_);
    }

private:
    const Expr& e_;
    std::string out_;

    int level(NodeId id) const {
        return std::visit(
            [](const auto& x) -> int {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, Number>) return std::signbit(x.value) ? 7 : 9;
                else if constexpr (std::is_same_v<T, Unary>) return x.op == Op::not_ ? 3 : 7;
                else if constexpr (std::is_same_v<T, Binary>) return binary_level(x.op);
                else if constexpr (std::is_same_v<T, If>) return 0;
                else return 9;
            },
            e_[id].v);
    }

    void emit(NodeId id, int slot) {
        if (level(id) < slot) {
            out_ += '(';
            bare(id);
            out_ += ')';
        } else {
            bare(id);
        }
    }

    void name(std::string_view canonical) {
        if (is_bare_name(canonical)) {
            out_ += canonical;
            return;
        }
        out_ += '"';
        for (char c : canonical) {
            if (c == '"' || c == '\\') out_ += '\\';
            out_ += c;
        }
        out_ += '"';
    }

    void list(const std::vector<NodeId>& items, char open, char close) {
        out_ += open;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i) out_ += ", ";
            emit(items[i], 0);
        }
        out_ += close;
    }

    void bare(NodeId id) {
        std::visit(
            [&](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, Number>) {
                    out_ += text::number(x.value);
                } else if constexpr (std::is_same_v<T, Name>) {
                    name(x.canonical);
                    if (!x.subscripts.empty()) list(x.subscripts, '[', ']');
                } else if constexpr (std::is_same_v<T, Wildcard>) {
                    out_ += '*';
                } else if constexpr (std::is_same_v<T, Unary>) {
                    out_ += symbol(x.op);
                    emit(x.arg, x.op == Op::not_ ? 4 : 7);
                } else if constexpr (std::is_same_v<T, Binary>) {
                    const int p = binary_level(x.op);
                    emit(x.lhs, x.op == Op::pow ? 9 : p);
                    out_ += symbol(x.op);
                    emit(x.rhs, x.op == Op::pow ? 7 : p + 1);
                } else if constexpr (std::is_same_v<T, Call>) {
                    if (const BuiltinInfo* b = find_builtin(x.canonical)) out_ += b->name;
                    else name(x.canonical);
                    list(x.args, '(', ')');
                } else if constexpr (std::is_same_v<T, If>) {
                    // Nested IFs in the condition or the THEN branch would
                    // parse without parentheses, but read badly.
                    out_ += "IF ";
                    emit(x.cond, 1);
                    out_ += " THEN ";
                    emit(x.then_, 1);
                    out_ += " ELSE ";
                    emit(x.else_, 0);
                }
            },
            e_[id].v);
    }
};

}  // namespace

std::string print(const Expr& e, NodeId node) { return Printer(e).run(node); }

std::string print(const Expr& e) { return e.empty() ? std::string() : print(e, e.root); }

}  // namespace sim::ast
