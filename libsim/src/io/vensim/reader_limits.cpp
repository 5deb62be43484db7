// The Vensim reader's limit checks (reader_detail.hpp): what a file can
// inflate -- the elements of subscript ranges and arrays, chains of macros
// calling macros -- counted against sim::Limits before expand() makes a
// single element, so a hostile file fails fast with E-LIMIT.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "io/vensim/reader_detail.hpp"
#include "lang/tree.hpp"
#include "util/call_depth.hpp"

namespace sim::vensim::detail {

// --- limits
// The element counts of every subscript range once expand() has
// replaced a range listed inside another by its elements (four rounds,
// in name order, in place: expand.cpp, dimensions()), computed on
// counts, saturating; then each arrayed left-hand side's element count.
// E-LIMIT (--max-elements) for any over Limits::array_elements, and for
// all ranges together over it.
bool Reader::within_limits() {
    using Count = std::uint64_t;
    constexpr Count cap = Count{1} << 62;
    auto add = [&](Count a, Count b) { return a > cap - b ? cap : a + b; };
    auto mul = [&](Count a, Count b) { return b != 0 && a > cap / b ? cap : a * b; };
    struct Shape {
        Count plain = 0;                     // elements that are not ranges
        std::map<std::string, Count> ranges; // ranges listed (each to be replaced by its elements)
    };
    std::map<std::string, Shape> shape;
    for (const auto& [name, dim] : dims_) {
        Shape& sh = shape[name];
        for (const auto& e : dim.elems) {
            if (dims_.count(e)) sh.ranges[e] = add(sh.ranges[e], 1);
            else sh.plain = add(sh.plain, 1);
        }
    }
    for (int round = 0; round < 4; ++round)
        for (auto& [name, sh] : shape) {
            Shape out;
            out.plain = sh.plain;
            for (const auto& [r, k] : sh.ranges) {
                if (r == name) {  // a range listing itself keeps the name as an element
                    out.ranges[r] = add(out.ranges[r], k);
                    continue;
                }
                const Shape& other = shape[r];
                out.plain = add(out.plain, mul(k, other.plain));
                for (const auto& [r2, k2] : other.ranges) out.ranges[r2] = add(out.ranges[r2], mul(k, k2));
            }
            sh = std::move(out);
        }
    std::map<std::string, Count> size;
    for (const auto& [name, sh] : shape) {
        Count n = sh.plain;
        for (const auto& [r, k] : sh.ranges) n = add(n, k);
        size[name] = n;
    }
    bool ok = true;
    std::vector<std::pair<const Dim*, Count>> in_order;  // file order
    for (const auto& [name, dim] : dims_) in_order.emplace_back(&dim, size[name]);
    std::sort(in_order.begin(), in_order.end(), [](const auto& a, const auto& b) { return a.first->order < b.first->order; });
    for (const auto& [dim, n] : in_order) {
        if (n <= limits_.array_elements) continue;
        diags_.error(sim::Code::E_LIMIT, dim->loc, dim->name,
                     "subscript range '" + dim->name + "' has " + (n >= cap ? std::string("more than 4e18") : std::to_string(n)) +
                         " elements once the ranges it lists are expanded" +
                         limit_hint(limits_.array_elements, "--max-elements"));
        ok = false;
    }
    if (!ok) return false;
    // All ranges together, as expand() will make them (a range listing a
    // large one copies it: a thousand one-line copies of a 1,000,000-element
    // range would be 10^9 names).
    Count total = 0;
    for (const auto& [dim, n] : in_order) {
        total = add(total, n);
        if (total <= limits_.array_elements) continue;
        diags_.error(sim::Code::E_LIMIT, dim->loc, dim->name,
                     "the subscript ranges up to '" + dim->name + "' have " +
                         (total >= cap ? std::string("more than 4e18") : std::to_string(total)) +
                         " elements together once the ranges they list are expanded" +
                         limit_hint(limits_.array_elements, "--max-elements"));
        return false;
    }
    // An equivalence (alias <-> range) gives the alias the range's size.
    auto size_of = [&](const std::string& sub) -> Count {
        if (auto it = size.find(sub); it != size.end()) return it->second;
        if (auto eq = equivalent_.find(sub); eq != equivalent_.end())
            if (auto it = size.find(eq->second); it != size.end()) return it->second;
        return 1;  // an element
    };
    auto check_def = [&](const Def& d) {
        if (d.subs.size() < 2) return;  // one range: checked above
        Count n = 1;
        for (const auto& sub : d.subs) n = mul(n, size_of(sub));
        if (n <= limits_.array_elements) return;
        std::string subs;
        for (const auto& sub : d.subs) {
            auto it = dims_.find(sub);
            subs += (subs.empty() ? "" : ", ") + (it != dims_.end() ? it->second.name : sub);
        }
        diags_.error(sim::Code::E_LIMIT, d.loc, d.name,
                     "'" + d.name + "[" + subs + "]' has " + (n >= cap ? std::string("more than 4e18") : std::to_string(n)) +
                         " elements" + limit_hint(limits_.array_elements, "--max-elements"));
        ok = false;
    };
    for (const auto& d : defs_) check_def(d);
    for (const auto& mac : macros_)
        for (const auto& d : mac.defs) check_def(d);
    return ok && macros_within_depth();
}

// Macros calling macros: the longest chain of calls (not counting a
// recursive one, which expand() reports) within Limits::depth (--max-depth).
bool Reader::macros_within_depth() {
    if (macros_.empty()) return true;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < macros_.size(); ++i) index.emplace(macros_[i].canonical, i);
    std::vector<std::set<std::size_t>> calls(macros_.size());
    for (std::size_t i = 0; i < macros_.size(); ++i)
        for (const auto& d : macros_[i].defs)
            for (const Equation* eq : {&d.eq, &d.init})
                for (const auto& node : eq->tree.nodes)
                    if (const auto* c = std::get_if<ast::Call>(&node.v))
                        if (auto it = index.find(c->canonical); it != index.end()) calls[i].insert(it->second);
    // A recursive call adds no depth here: expand() reports it.
    const std::vector<std::size_t> depth =
        util::call_depths(calls, [](std::size_t, const std::vector<std::size_t>&) {});
    for (std::size_t i = 0; i < macros_.size(); ++i) {
        if (depth[i] <= limits_.depth) continue;
        diags_.error(sim::Code::E_LIMIT, macros_[i].loc, macros_[i].name,
                     "macro '" + macros_[i].name + "' starts a chain of " + std::to_string(depth[i]) +
                         " macros, each calling the next" + limit_hint(limits_.depth, "--max-depth"));
        return false;
    }
    return true;
}

}  // namespace sim::vensim::detail
