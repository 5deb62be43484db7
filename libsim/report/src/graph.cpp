// sim::write_dot (sim/graph.hpp): the stock-and-flow structure from the
// spec's equation trees. Invariant: an arrow X -> Y means that Y's equation
// (a stock's: its initial value, or with `only` its flows) names X, directly
// or through variables not shown.
#include "sim/graph.hpp"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "sim/diagnostic.hpp"
#include "util/text.hpp"

namespace sim {

const char* to_string(GraphLevels l) {
    switch (l) {
        case GraphLevels::stocks: return "stocks";
        case GraphLevels::aux: return "aux";
        case GraphLevels::all: return "all";
    }
    return "?";
}

std::optional<GraphLevels> parse_graph_levels(std::string_view s) {
    for (GraphLevels l : {GraphLevels::stocks, GraphLevels::aux, GraphLevels::all})
        if (s == to_string(l)) return l;
    return std::nullopt;
}

namespace {

enum class Kind { stock, flow, aux, constant, lookup, lever, cost };

struct Node {
    Node(Kind k, std::string l, const Equation* e = nullptr) : kind(k), label(std::move(l)), eq(e) {}

    Kind kind;
    std::string label;
    const Equation* eq = nullptr;  // stock: initial value; lever: none
    bool callable = false;  // a graphical function: a call by its name is a reference
    bool shown = false;
    std::vector<std::size_t> refs;   // nodes the equation names, in order of first mention
    std::vector<std::size_t> flows;  // a stock's inflows and outflows: what it changes with
};

Kind kind_of(VarKind k) {
    switch (k) {
        case VarKind::stock: return Kind::stock;
        case VarKind::flow: return Kind::flow;
        case VarKind::aux: return Kind::aux;
        case VarKind::constant: return Kind::constant;
        case VarKind::lookup: return Kind::lookup;
    }
    return Kind::aux;
}

bool shown_at(Kind k, GraphLevels l) {
    switch (k) {
        case Kind::stock:
        case Kind::flow:
        case Kind::lever: return true;
        case Kind::aux:
        case Kind::cost: return l != GraphLevels::stocks;
        case Kind::constant:
        case Kind::lookup: return l == GraphLevels::all;
    }
    return false;
}

// A DOT double-quoted string.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '\r') continue;
        out += c;
    }
    return out + '"';
}

// The key a reference is looked up by, as the compiler does (compile/resolve.cpp):
// `a[b, c]` is "a[b,c]" with each subscript canonical.
std::string reference_key(const ast::Expr& e, const ast::Name& n) {
    if (n.subscripts.empty()) return n.canonical;
    std::string key = n.canonical + "[";
    for (std::size_t i = 0; i < n.subscripts.size(); ++i) {
        if (i) key += ',';
        const ast::NodeId s = n.subscripts[i];
        if (const auto* sub = std::get_if<ast::Name>(&e[s].v)) key += reference_key(e, *sub);
        else key += ast::print(e, s);
    }
    return key + "]";
}

bool has_wildcard(const ast::Expr& e, const ast::Name& n) {
    return std::any_of(n.subscripts.begin(), n.subscripts.end(),
                       [&](ast::NodeId s) { return std::holds_alternative<ast::Wildcard>(e[s].v); });
}

class Graph {
public:
    Graph(const ModelSpec& spec, const GraphOptions& o) : spec_(spec), o_(o) {
        for (const auto& v : spec.variables) {
            nodes_.emplace_back(kind_of(v.kind), v.name, &v.equation);
            nodes_.back().callable = v.kind == VarKind::lookup || v.gf.has_value();
            by_name_.emplace(canonical_name(v.name), nodes_.size() - 1);
        }
        for (const auto& l : spec.levers) {
            std::string label = l.name + "\n(lever";
            if (!l.section.empty()) label += " " + l.section;
            nodes_.emplace_back(Kind::lever, label + ")");
            const std::size_t lever = nodes_.size() - 1;
            lever_node_.emplace(canonical_name(l.name), lever);
            for (std::string_view suffix : Lever::setting_suffixes)
                by_name_.emplace(canonical_name(l.name + std::string(suffix)), lever);
            by_name_.emplace(canonical_name(l.name + "_lever"), lever);
            if (!l.cost.empty()) {
                nodes_.emplace_back(Kind::cost, l.name + "_cost", &l.cost);
                by_name_.emplace(canonical_name(l.name + "_cost"), nodes_.size() - 1);
            }
        }
        for (auto& n : nodes_) {
            n.shown = o.only.empty() && shown_at(n.kind, o.levels);
            if (!n.eq) continue;
            // Text assigned without a tree is parsed as the compiler would parse it.
            const Equation* eq = n.eq;
            if (!eq->parsed() && !eq->empty()) eq = &parsed_.emplace_back(Equation::parse(eq->text, eq->loc));
            if (!eq->tree.empty()) collect(eq->tree, n.refs);
        }
        for (std::size_t s = 0; s < spec.variables.size(); ++s)
            for (const auto* list : {&spec.variables[s].inflows, &spec.variables[s].outflows})
                for (const auto& f : *list)
                    if (auto it = by_name_.find(canonical_name(f)); it != by_name_.end() &&
                        nodes_[it->second].kind == Kind::flow)
                        nodes_[s].flows.push_back(it->second);
        std::vector<std::string> unknown;
        for (const auto& name : o.only) {
            if (auto it = by_name_.find(canonical_name(name)); it != by_name_.end()) nodes_[it->second].shown = true;
            else if (auto l = lever_node_.find(canonical_name(name)); l != lever_node_.end()) nodes_[l->second].shown = true;
            else unknown.push_back(name);
        }
        if (!unknown.empty()) {
            std::vector<std::string> names;
            for (const auto& v : spec.variables) names.push_back(v.name);
            for (const auto& l : spec.levers) names.push_back(l.name);
            Diagnostics d;
            for (const auto& u : unknown) {
                auto hint = text::closest(u, names);
                d.error(sim::Code::E_UNKNOWN_NAME, {}, u,
                        "cannot show '" + u + "': the model has no such variable or lever" +
                            (hint ? "; did you mean '" + *hint + "'?" : ""));
            }
            throw Error(std::move(d));
        }
    }

    void write(std::ostream& out) const {
        const std::string title = o_.title.empty() ? spec_.name : o_.title;
        out << "// Stock-and-flow structure (sdsim graph, "
            << (o_.only.empty() ? "levels " + std::string(to_string(o_.levels)) : std::string("selected variables"))
            << "). Render with: dot -Tsvg FILE.dot -o FILE.svg\n";
        out << "digraph " << quote(title.empty() ? "model" : title) << " {\n";
        out << "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=14, labelloc=t, nodesep=0.25, ranksep=0.5";
        if (!title.empty()) out << ", label=" << quote(title);
        out << "];\n";
        out << "  node [fontname=\"Helvetica\", fontsize=11];\n";
        out << "  edge [fontname=\"Helvetica\", arrowsize=0.6];\n";
        write_nodes(out);
        write_pipes(out);
        write_links(out);
        out << "}\n";
    }

private:
    // Every node a name in `e` refers to, in order of first mention.
    void collect(const ast::Expr& e, std::vector<std::size_t>& refs) const {
        auto add = [&](std::size_t i) {
            if (std::find(refs.begin(), refs.end(), i) == refs.end()) refs.push_back(i);
        };
        // Children precede parents, but subscripts are element names, not
        // references: walk from the root and skip them.
        std::vector<ast::NodeId> stack{e.root};
        std::vector<std::size_t> found;
        while (!stack.empty()) {
            const ast::NodeId id = stack.back();
            stack.pop_back();
            std::visit(
                [&](const auto& x) {
                    using T = std::decay_t<decltype(x)>;
                    if constexpr (std::is_same_v<T, ast::Name>) {
                        if (has_wildcard(e, x)) {
                            const std::string prefix = x.canonical + "[";
                            for (const auto& [key, idx] : by_name_)
                                if (key.rfind(prefix, 0) == 0) found.push_back(idx);
                            if (auto arr = by_name_.find(x.canonical); arr != by_name_.end()) found.push_back(arr->second);
                        } else if (auto it = by_name_.find(reference_key(e, x)); it != by_name_.end()) {
                            found.push_back(it->second);
                        } else if (auto arr = by_name_.find(x.canonical); arr != by_name_.end()) {
                            found.push_back(arr->second);  // an element of an arrayed variable: its node
                        }
                    } else if constexpr (std::is_same_v<T, ast::Unary>) {
                        stack.push_back(x.arg);
                    } else if constexpr (std::is_same_v<T, ast::Binary>) {
                        stack.push_back(x.rhs);
                        stack.push_back(x.lhs);
                    } else if constexpr (std::is_same_v<T, ast::Call>) {
                        // A graphical function called by name is a dependency.
                        if (auto it = by_name_.find(x.canonical); it != by_name_.end() && nodes_[it->second].callable)
                            found.push_back(it->second);
                        for (auto a = x.args.rbegin(); a != x.args.rend(); ++a) stack.push_back(*a);
                    } else if constexpr (std::is_same_v<T, ast::If>) {
                        stack.push_back(x.else_);
                        stack.push_back(x.then_);
                        stack.push_back(x.cond);
                    }
                },
                e[id].v);
        }
        for (std::size_t i : found) add(i);
    }

    // What a hidden node passes on: a stock changes with its flows, anything
    // else with what its equation names.
    const std::vector<std::size_t>& through(std::size_t i) const {
        return nodes_[i].kind == Kind::stock ? nodes_[i].flows : nodes_[i].refs;
    }

    // The shown nodes reached from `start` (`from`'s references or flows),
    // with hidden nodes replaced by what they pass on (transitively; each
    // node visited once; `from` itself never).
    std::vector<std::size_t> shown_refs(std::size_t from, const std::vector<std::size_t>& start) const {
        std::vector<std::size_t> out;
        std::set<std::size_t> seen{from};
        std::vector<std::size_t> todo(start.rbegin(), start.rend());
        while (!todo.empty()) {
            const std::size_t i = todo.back();
            todo.pop_back();
            if (!seen.insert(i).second) continue;
            if (nodes_[i].shown) {
                out.push_back(i);
                continue;
            }
            const auto& r = through(i);
            for (auto it = r.rbegin(); it != r.rend(); ++it) todo.push_back(*it);
        }
        return out;
    }

    static std::string id(std::size_t i) { return "n" + std::to_string(i); }

    void write_nodes(std::ostream& out) const {
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            const Node& n = nodes_[i];
            if (!n.shown) continue;
            out << "  " << id(i) << " [label=" << quote(n.label);
            switch (n.kind) {
                case Kind::stock: out << ", shape=box, style=filled, fillcolor=\"#fff2b3\""; break;
                case Kind::flow:
                    // On its pipe (write_pipes), as a rounded box: the valve.
                    out << ", shape=box, style=\"rounded,filled\", fillcolor=\"#d6e6f5\", fontsize=10";
                    break;
                case Kind::aux: out << ", shape=ellipse"; break;
                case Kind::constant: out << ", shape=ellipse, color=gray60, fontcolor=gray35, fontsize=9"; break;
                case Kind::lookup:
                    out << ", shape=ellipse, style=dashed, color=gray60, fontcolor=gray35, fontsize=9";
                    break;
                case Kind::lever: out << ", shape=octagon, style=filled, fillcolor=\"#f6a04d\", penwidth=1.5"; break;
                case Kind::cost: out << ", shape=ellipse, color=\"#d9731a\", fontcolor=\"#8a4510\""; break;
            }
            out << "];\n";
        }
    }

    // Pipes: stock -> flow -> stock, a cloud where a flow leaves or enters no stock.
    void write_pipes(std::ostream& out) const {
        // Stocks on each side of each flow (shown or not).
        std::vector<std::vector<std::size_t>> from(nodes_.size()), to(nodes_.size());
        for (std::size_t s = 0; s < spec_.variables.size(); ++s) {
            const Variable& v = spec_.variables[s];
            if (v.kind != VarKind::stock) continue;
            auto attach = [&](const std::vector<std::string>& names, std::vector<std::vector<std::size_t>>& side) {
                for (const auto& f : names) {
                    auto it = by_name_.find(canonical_name(f));
                    if (it == by_name_.end() || nodes_[it->second].kind != Kind::flow) continue;
                    auto& list = side[it->second];
                    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
                }
            };
            attach(v.outflows, from);
            attach(v.inflows, to);
        }
        const char* pipe = "color=\"gray25:white:gray25\", penwidth=1.5, arrowsize=0.9";
        std::size_t clouds = 0;
        auto cloud = [&]() {
            const std::string c = "cloud" + std::to_string(clouds++);
            out << "  " << c << " [label=\"\", shape=ellipse, style=dashed, color=gray50, width=0.35, height=0.22];\n";
            return c;
        };
        for (std::size_t f = 0; f < nodes_.size(); ++f) {
            if (nodes_[f].kind != Kind::flow || !nodes_[f].shown) continue;
            if (from[f].empty() && to[f].empty()) continue;  // not attached to any stock
            if (from[f].empty()) {
                const std::string c = cloud();
                out << "  " << c << " -> " << id(f) << " [" << pipe << ", arrowhead=none];\n";
            }
            for (std::size_t s : from[f])
                if (nodes_[s].shown) out << "  " << id(s) << " -> " << id(f) << " [" << pipe << ", arrowhead=none];\n";
            if (to[f].empty()) {
                const std::string c = cloud();
                out << "  " << id(f) << " -> " << c << " [" << pipe << "];\n";
            }
            for (std::size_t s : to[f])
                if (nodes_[s].shown) out << "  " << id(f) << " -> " << id(s) << " [" << pipe << "];\n";
        }
    }

    void write_links(std::ostream& out) const {
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            const Node& n = nodes_[i];
            if (!n.shown) continue;
            const bool stock = n.kind == Kind::stock;
            // A shown stock: with `only`, the dependencies of its flows not
            // shown (a shown flow is on a pipe); else its initial value's.
            std::vector<std::size_t> start = n.refs;
            if (stock && !o_.only.empty()) {
                start.clear();
                for (std::size_t f : n.flows)
                    if (!nodes_[f].shown) start.push_back(f);
            } else if (stock && (o_.levels == GraphLevels::stocks || !o_.initial_links)) {
                continue;
            }
            const bool initial = stock && o_.only.empty();
            for (std::size_t r : shown_refs(i, start)) {
                out << "  " << id(r) << " -> " << id(i);
                const Kind k = nodes_[r].kind;
                if (k == Kind::lever) out << " [color=\"#d9731a\", penwidth=1.5";
                else if (k == Kind::constant || k == Kind::lookup) out << " [color=gray70";
                else out << " [color=gray40";
                if (initial) out << ", style=dashed";
                out << "];\n";
            }
        }
    }

    const ModelSpec& spec_;
    const GraphOptions& o_;
    std::vector<Node> nodes_;
    std::deque<Equation> parsed_;  // trees of equations the spec holds only as text
    std::map<std::string, std::size_t> by_name_;     // canonical name -> node (first declaration)
    std::map<std::string, std::size_t> lever_node_;  // canonical lever name -> its node
};

}  // namespace

void write_dot(const ModelSpec& spec, std::ostream& out, const GraphOptions& options) {
    Graph(spec, options).write(out);
}

}  // namespace sim
