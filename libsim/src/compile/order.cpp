// Compiler phase: dependency orders (initial values; flows and auxiliaries
// per step) and algebraic-loop detection.
#include <algorithm>

#include "compile/compiler.hpp"

namespace sim::detail {

void Compiler::collect_refs(int expr, std::vector<int>& out) const {
    if (expr < 0) return;
    const RNode& r = node(expr);
    if (r.kind == RNode::var) out.push_back(static_cast<int>(r.ref));
    if (r.kind == RNode::vec) {
        const CVec& v = vecs_[r.ref];
        out.insert(out.end(), v.a.begin(), v.a.end());
        out.insert(out.end(), v.b.begin(), v.b.end());
        for (int p : {v.p0, v.p1})
            if (p >= 0) out.push_back(p);
    }
    collect_refs(r.a, out);
    collect_refs(r.b, out);
    collect_refs(r.c, out);
}

// Dependency order (dependencies first) of the variables computed by one
// tape: the initial-value tape (`initial`) or the per-step one. Invariant:
// the result lists every non-broken, non-literal variable of that tape after
// everything it reads; every strongly connected component (algebraic loop)
// is reported as E-CYCLE naming each user variable in it, in model order,
// and its members are marked broken.
std::vector<int> Compiler::order(bool initial) {
    const int n = static_cast<int>(vars_.size());
    auto in_graph = [&](int v) {
        const CVar& c = vars_[static_cast<std::size_t>(v)];
        if (c.broken || c.literal) return false;
        return initial ? c.init >= 0 : (c.role == Role::aux && c.run >= 0);
    };
    std::vector<std::vector<int>> edges(static_cast<std::size_t>(n));
    std::vector<bool> self_loop(static_cast<std::size_t>(n), false);
    for (int v = 0; v < n; ++v) {
        if (!in_graph(v)) continue;
        std::vector<int> refs;
        collect_refs(initial ? var(v).init : var(v).run, refs);
        for (int u : refs) {
            if (!in_graph(u)) continue;
            if (u == v) self_loop[static_cast<std::size_t>(v)] = true;
            edges[static_cast<std::size_t>(v)].push_back(u);
        }
    }
    // Tarjan's algorithm, iterative; SCCs come out dependencies first.
    std::vector<int> index(static_cast<std::size_t>(n), -1), low(static_cast<std::size_t>(n), 0), stack, result;
    std::vector<bool> on_stack(static_cast<std::size_t>(n), false);
    int counter = 0;
    struct Frame { int v; std::size_t next; };
    for (int root = 0; root < n; ++root) {
        if (!in_graph(root) || index[static_cast<std::size_t>(root)] >= 0) continue;
        std::vector<Frame> frames{{root, 0}};
        index[static_cast<std::size_t>(root)] = low[static_cast<std::size_t>(root)] = counter++;
        stack.push_back(root);
        on_stack[static_cast<std::size_t>(root)] = true;
        while (!frames.empty()) {
            Frame& f = frames.back();
            auto fv = static_cast<std::size_t>(f.v);
            if (f.next < edges[fv].size()) {
                int w = edges[fv][f.next++];
                auto uw = static_cast<std::size_t>(w);
                if (index[uw] < 0) {
                    index[uw] = low[uw] = counter++;
                    stack.push_back(w);
                    on_stack[uw] = true;
                    frames.push_back({w, 0});
                } else if (on_stack[uw]) {
                    low[fv] = std::min(low[fv], index[uw]);
                }
                continue;
            }
            if (low[fv] == index[fv]) {
                std::vector<int> scc;
                int w;
                do {
                    w = stack.back();
                    stack.pop_back();
                    on_stack[static_cast<std::size_t>(w)] = false;
                    scc.push_back(w);
                } while (w != f.v);
                if (scc.size() == 1 && !self_loop[fv]) {
                    result.push_back(f.v);
                } else {
                    // Name every user variable in the loop, in model order.
                    std::vector<int> owners;
                    for (int m : scc) owners.push_back(var(m).hidden ? var(m).owner : m);
                    std::sort(owners.begin(), owners.end());
                    owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
                    std::string names;
                    for (std::size_t i = 0; i < owners.size(); ++i) {
                        if (i) names += i + 1 == owners.size() ? " and " : ", ";
                        names += "'" + var(owners[i]).name + "'";
                    }
                    // Built by appending: g++ 12 gives false -Wrestrict warnings on "lit" + std::string.
                    const bool one = owners.size() == 1;
                    std::string msg = initial ? "circular initial values: " : "algebraic loop: ";
                    if (initial) msg.append(one ? "the initial value of " : "the initial values of ");
                    msg.append(names).append(one ? " depends on itself" : " depend on each other");
                    msg.append(initial ? "; give one of them an initial value that does not depend on the others"
                                       : " within one time step; break the loop with a stock or a DELAY/PREVIOUS");
                    int at = owners.front();
                    error(sim::Code::E_CYCLE, eq_loc(at), at, msg);
                    for (int m : scc) var(m).broken = true;
                }
            }
            int done = f.v;
            frames.pop_back();
            if (!frames.empty()) {
                auto pv = static_cast<std::size_t>(frames.back().v);
                low[pv] = std::min(low[pv], low[static_cast<std::size_t>(done)]);
            }
        }
    }
    return result;
}

}  // namespace sim::detail
