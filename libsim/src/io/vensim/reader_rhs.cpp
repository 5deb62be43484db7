// The Vensim reader's right-hand sides (reader_detail.hpp): what follows
// `=` in a record -- an equation parsed once in the Vensim dialect (INTEG
// split into rate and initial value), WITH LOOKUP, TABBED ARRAY, a list of
// numbers, external data (GET ...) -- and sub_equation.
#include <cctype>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "io/vensim/expand.hpp"
#include "io/vensim/reader_detail.hpp"
#include "lang/tree.hpp"
#include "util/text.hpp"

namespace sim::vensim {

namespace detail {

// The right-hand side [b, e) of `=`.
bool Reader::right_side(Def& d, std::size_t b, std::size_t e) {
    std::string_view rhs = std::string_view(s_).substr(b, e - b);
    auto equation = [&](std::size_t from, std::size_t to) {
        return Equation::parse(std::string(s_.substr(from, to - from)), t_.at(from), ast::Dialect::vensim);
    };
    if (starts_with_ci(rhs, 0, "WITH LOOKUP")) {
        // WITH LOOKUP(input, (table))
        std::size_t open = s_.find('(', b);
        std::size_t close = e - 1;
        if (open == std::string::npos || open >= e || s_[close] != ')') {
            error(sim::Code::E_VENSIM_SYNTAX, b, d.name, "WITH LOOKUP is written WITH LOOKUP(input, (table))");
            return false;
        }
        // The input ends at the first top-level comma.
        int depth = 0;
        std::size_t comma = std::string::npos;
        for (std::size_t q = open + 1; q < close; ++q) {
            char c = s_[q];
            if (c == '"') {
                q = past_quoted(s_, q, close);
                if (q == std::string_view::npos) break;
                --q;
                continue;
            }
            if (c == '(' || c == '[') ++depth;
            else if (c == ')' || c == ']') --depth;
            else if (c == ',' && depth == 0) {
                comma = q;
                break;
            }
        }
        if (comma == std::string::npos) {
            error(sim::Code::E_VENSIM_SYNTAX, open, d.name, "WITH LOOKUP needs an input and a table: WITH LOOKUP(input, (table))");
            return false;
        }
        std::string err;
        std::size_t err_at = 0;
        std::size_t tb = skip_ws(s_, comma + 1, close);
        auto gf = parse_table(std::string_view(s_).substr(tb, close - tb), err, err_at);
        if (!gf) {
            error(sim::Code::E_VENSIM_SYNTAX, tb + err_at, d.name, "WITH LOOKUP table: " + err);
            return false;
        }
        gf->loc = t_.at(tb);
        d.gf = std::move(gf);
        std::size_t ib = skip_ws(s_, open + 1, comma);
        d.eq = equation(ib, comma);
        return true;
    }
    if (starts_with_ci(rhs, 0, "TABBED ARRAY")) {
        std::size_t open = s_.find('(', b);
        if (open == std::string::npos || open >= e || s_[e - 1] != ')') {
            error(sim::Code::E_VENSIM_SYNTAX, b, d.name, "TABBED ARRAY is written TABBED ARRAY(numbers separated by tabs)");
            return false;
        }
        return values(d, open + 1, e - 1, true);
    }
    bool get = false;
    for (std::string_view g : {"GET XLS", "GET DIRECT", "GET 123", "GET DATA", "GET_XLS", "GET_DIRECT"})
        get = get || starts_with_ci(rhs, 0, g);
    if (get) {
        d.kind = Def::Kind::data;
        d.eq = Equation{};
        d.eq.text = std::string(rhs);
        d.eq.loc = t_.at(b);
        return true;
    }
    if (starts_with_ci(rhs, 0, "A FUNCTION OF")) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, b, d.name, "'A FUNCTION OF' is an incomplete Vensim equation: write the equation");
        return false;
    }
    // A list of numbers: 1, 2, 3; 4, 5, 6;
    bool list = false, only_numbers = true;
    for (char c : rhs) {
        if (c == ',' || c == ';') list = true;
        else if (!(std::isdigit(static_cast<unsigned char>(c)) || is_space(c) || c == '.' || c == '-' || c == '+' ||
                   c == 'e' || c == 'E'))
            only_numbers = false;
    }
    if (list && only_numbers) return values(d, b, e, false);
    d.eq = equation(b, e);
    if (!d.eq.tree.empty()) {
        const auto& root = d.eq.tree[d.eq.tree.root];
        if (const auto* c = std::get_if<ast::Call>(&root.v); c && c->canonical == "integ") {
            if (c->args.size() != 2) {
                error(sim::Code::E_ARG_COUNT, b, d.name, "INTEG takes 2 arguments (rate, initial value)");
                return false;
            }
            Equation whole = std::move(d.eq);
            d.eq = sub_equation(whole, c->args[0]);
            d.init = sub_equation(whole, c->args[1]);
            d.kind = Def::Kind::stock;
        }
    }
    return true;
}

// Numbers separated by ',' ';' or blanks (tabbed) in [b, e).
bool Reader::values(Def& d, std::size_t b, std::size_t e, bool tabbed) {
    std::size_t p = b;
    while (p < e) {
        while (p < e && (is_space(s_[p]) || s_[p] == ',' || s_[p] == ';')) ++p;
        if (p >= e) break;
        std::size_t q = p;
        while (q < e && !(is_space(s_[q]) || s_[q] == ',' || s_[q] == ';')) ++q;
        auto r = text::parse_number(std::string_view(s_).substr(p, q - p));
        if (!r) {
            error(sim::Code::E_BAD_NUMBER, p, d.name,
                  "'" + s_.substr(p, q - p) + "' in a list of constants " + text::describe(r.status));
            return false;
        }
        d.values.push_back(r.value);
        p = q;
    }
    (void)tabbed;
    d.kind = Def::Kind::values;
    return true;
}

}  // namespace detail

// An argument (node `id`) of `eq`'s tree as an equation of its own: its
// text, its position, its subtree with spans rebased onto that text.
Equation sub_equation(const Equation& eq, ast::NodeId id) {
    const ast::Span span = eq.tree[id].span;
    Equation out;
    out.text = eq.text.substr(span.begin, span.end - span.begin);
    out.loc = eq.at(span.begin);
    out.lines_from_col1 = eq.lines_from_col1;
    std::vector<ast::NodeId> map(eq.tree.nodes.size(), 0);
    std::vector<bool> keep(eq.tree.nodes.size(), false);
    keep[id] = true;
    for (ast::NodeId i = id + 1; i-- > 0;) {
        if (!keep[i]) continue;
        ast::for_each_child(eq.tree[i], [&](ast::NodeId c) { keep[c] = true; });
    }
    for (ast::NodeId i = 0; i <= id; ++i) {
        if (!keep[i]) continue;
        ast::Node n = eq.tree[i];
        auto remap = [&](ast::NodeId& c) { c = map[c]; };
        std::visit(
            [&](auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, ast::Name>) for (auto& c : x.subscripts) remap(c);
                else if constexpr (std::is_same_v<T, ast::Unary>) remap(x.arg);
                else if constexpr (std::is_same_v<T, ast::Binary>) remap(x.lhs), remap(x.rhs);
                else if constexpr (std::is_same_v<T, ast::Call>) for (auto& c : x.args) remap(c);
                else if constexpr (std::is_same_v<T, ast::If>) remap(x.cond), remap(x.then_), remap(x.else_);
            },
            n.v);
        n.span.begin = n.span.begin >= span.begin ? n.span.begin - span.begin : 0;
        n.span.end = n.span.end >= span.begin ? n.span.end - span.begin : 0;
        map[i] = out.tree.add(std::move(n));
    }
    out.tree.root = map[id];
    return out;
}


}  // namespace sim::vensim
