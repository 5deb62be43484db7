// The table of dimensions (dims.hpp): elements (expanding entries that name
// other dimensions, and equivalences), families and mappings.
#include "compile/dims.hpp"

#include <algorithm>
#include <functional>

#include "util/text.hpp"

namespace sim::detail {

int Dims::intern(const std::string& display) {
    std::string c = canonical_name(display);
    auto [it, fresh] = elem_index_.emplace(c, static_cast<int>(elem_names_.size()));
    if (fresh) elem_names_.push_back(display);
    return it->second;
}

int Dims::dim(std::string_view canonical) const {
    auto it = dim_index_.find(std::string(canonical));
    return it == dim_index_.end() ? -1 : it->second;
}

int Dims::elem(std::string_view canonical) const {
    auto it = elem_index_.find(std::string(canonical));
    return it == elem_index_.end() ? -1 : it->second;
}

std::vector<std::string> Dims::dim_names() const {
    std::vector<std::string> r;
    for (const auto& d : dims_) r.push_back(d.canonical);
    return r;
}

std::vector<std::string> Dims::elem_names() const {
    std::vector<std::string> r;
    for (const auto& n : elem_names_) r.push_back(canonical_name(n));
    return r;
}

std::vector<int> Dims::mapped(int from, int e, int to) const {
    const DimInfo& f = (*this)[from];
    const int k = f.find(e);
    if (k >= 0)
        for (const auto& m : f.maps)
            if (m.target == to) return m.to[static_cast<std::size_t>(k)];
    // The inverse of a mapping declared on `to`: the elements of `to` that map to e.
    std::vector<int> r;
    for (const auto& m : (*this)[to].maps) {
        if (m.target != from) continue;
        for (std::size_t j = 0; j < m.to.size(); ++j)
            if (std::find(m.to[j].begin(), m.to[j].end(), e) != m.to[j].end())
                r.push_back((*this)[to].elems[j]);
        if (!r.empty()) break;
    }
    return r;
}

void Dims::build(const std::vector<Dimension>& specs, Diagnostics& diags) {
    auto error = [&](const SourceLoc& loc, const std::string& dim, std::string msg, sim::Code code = sim::Code::E_DIMENSION) {
        diags.error(code, loc, dim, std::move(msg));
    };
    dims_.resize(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        DimInfo& d = dims_[i];
        d.name = specs[i].name;
        d.canonical = canonical_name(specs[i].name);
        d.loc = specs[i].loc;
        if (d.canonical.empty()) {
            error(d.loc, "", "a dimension has an empty name; give it a name");
            d.broken = true;
            continue;
        }
        auto [it, fresh] = dim_index_.emplace(d.canonical, static_cast<int>(i));
        if (!fresh) {
            error(d.loc, d.name, "dimension '" + d.name + "' is declared twice (names ignore case, spaces and underscores); rename or remove one");
            d.broken = true;
        }
    }
    // Elements, depth first through entries that name other dimensions;
    // state 0 = not yet, 1 = in progress (a cycle if met again), 2 = done.
    std::vector<int> state(specs.size(), 0);
    std::function<void(std::size_t)> resolve = [&](std::size_t i) {
        if (state[i] == 2) return;
        DimInfo& d = dims_[i];
        const Dimension& s = specs[i];
        state[i] = 1;
        auto add = [&](int e, const std::string& as_written) {
            if (d.elems.size() >= max_dimension_elements) {
                if (!d.broken)
                    error(d.loc, d.name,
                          "dimension '" + d.name + "' has more than " + std::to_string(max_dimension_elements) +
                              " elements (the limit)", sim::Code::E_ARRAY_SIZE);
                d.broken = true;
                return;
            }
            if (!d.position.emplace(e, static_cast<int>(d.elems.size())).second) {
                error(d.loc, d.name, "dimension '" + d.name + "' lists the element '" + as_written + "' twice");
                d.broken = true;
                return;
            }
            d.elems.push_back(e);
        };
        // An entry naming another dimension (not this one) stands for its elements.
        auto expand = [&](const std::string& entry) {
            const int other = dim(canonical_name(entry));
            if (other >= 0 && static_cast<std::size_t>(other) != i) {
                if (state[static_cast<std::size_t>(other)] == 1) {
                    error(d.loc, d.name, "dimension '" + d.name + "' and '" + entry + "' are defined in terms of each other");
                    d.broken = true;
                    return;
                }
                resolve(static_cast<std::size_t>(other));
                if (dims_[static_cast<std::size_t>(other)].broken) d.broken = true;
                for (int e : dims_[static_cast<std::size_t>(other)].elems) add(e, elem_names_[static_cast<std::size_t>(e)]);
            } else {
                add(intern(std::string(text::trim(entry))), entry);
            }
        };
        if (!s.equivalent_to.empty()) {
            if (!s.elements.empty()) {
                error(d.loc, d.name, "dimension '" + d.name + "' is equivalent to '" + s.equivalent_to + "' and also lists elements; give one or the other");
                d.broken = true;
            }
            const int other = dim(canonical_name(s.equivalent_to));
            if (other < 0 || static_cast<std::size_t>(other) == i) {
                error(d.loc, d.name, "dimension '" + d.name + "' is equivalent to '" + s.equivalent_to + "', which is not a declared dimension");
                d.broken = true;
            } else {
                expand(s.equivalent_to);
            }
        } else {
            for (const auto& e : s.elements) {
                if (canonical_name(e).empty()) {
                    error(d.loc, d.name, "dimension '" + d.name + "' has an element with an empty name");
                    d.broken = true;
                    continue;
                }
                expand(e);
                if (d.broken && d.elems.size() >= max_dimension_elements) break;
            }
        }
        if (d.elems.empty() && !d.broken) {
            error(d.loc, d.name, "dimension '" + d.name + "' has no elements; list them, e.g. [a, b, c]");
            d.broken = true;
        }
        state[i] = 2;
    };
    for (std::size_t i = 0; i < specs.size(); ++i) resolve(i);

    // Families: the largest dimension holding every element (itself on a tie).
    std::vector<std::vector<int>> dims_of(elem_names_.size());
    for (std::size_t i = 0; i < dims_.size(); ++i)
        for (int e : dims_[i].elems) dims_of[static_cast<std::size_t>(e)].push_back(static_cast<int>(i));
    for (std::size_t i = 0; i < dims_.size(); ++i) {
        DimInfo& d = dims_[i];
        d.family = static_cast<int>(i);
        if (d.elems.empty()) continue;
        for (int c : dims_of[static_cast<std::size_t>(d.elems.front())]) {
            const DimInfo& cand = dims_[static_cast<std::size_t>(c)];
            if (cand.elems.size() <= dims_[static_cast<std::size_t>(d.family)].elems.size()) continue;
            if (std::all_of(d.elems.begin(), d.elems.end(), [&](int e) { return cand.holds(e); })) d.family = c;
        }
    }

    // Mappings.
    for (std::size_t i = 0; i < specs.size(); ++i) {
        DimInfo& d = dims_[i];
        for (const auto& m : specs[i].mappings) {
            const SourceLoc& at = m.loc.line > 0 ? m.loc : d.loc;
            const int t = dim(canonical_name(m.target));
            if (t < 0) {
                error(at, d.name, "dimension '" + d.name + "' maps to '" + m.target + "', which is not a declared dimension");
                d.broken = true;
                continue;
            }
            const DimInfo& target = dims_[static_cast<std::size_t>(t)];
            if (d.broken || target.broken) continue;
            DimMap map;
            map.target = t;
            if (m.elements.empty()) {
                if (target.elems.size() != d.elems.size()) {
                    error(at, d.name,
                          "dimension '" + d.name + "' (" + std::to_string(d.elems.size()) + " elements) maps by position to '" +
                              target.name + "' (" + std::to_string(target.elems.size()) +
                              " elements): the sizes must be equal, or list the target of each element");
                    d.broken = true;
                    continue;
                }
                for (int e : target.elems) map.to.push_back({e});
            } else {
                if (m.elements.size() != d.elems.size()) {
                    error(at, d.name,
                          "the mapping of '" + d.name + "' to '" + target.name + "' lists " + std::to_string(m.elements.size()) +
                              " targets for " + std::to_string(d.elems.size()) + " elements: give one per element");
                    d.broken = true;
                    continue;
                }
                bool ok = true;
                for (const auto& entry : m.elements) {
                    const std::string c = canonical_name(entry);
                    std::vector<int> to;
                    if (const int sub = dim(c); sub >= 0) {
                        to = dims_[static_cast<std::size_t>(sub)].elems;
                    } else if (const int e = elem(c); e >= 0) {
                        to = {e};
                    }
                    bool inside = !to.empty() && std::all_of(to.begin(), to.end(), [&](int e) { return target.holds(e); });
                    if (!inside) {
                        error(at, d.name, "the mapping of '" + d.name + "' to '" + target.name + "' names '" + entry +
                                              "', which is neither an element nor a subrange of '" + target.name + "'");
                        ok = false;
                        break;
                    }
                    map.to.push_back(std::move(to));
                }
                if (!ok) {
                    d.broken = true;
                    continue;
                }
            }
            d.maps.push_back(std::move(map));
        }
    }
}

}  // namespace sim::detail
