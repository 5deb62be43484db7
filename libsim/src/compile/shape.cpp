// Compiler: the shape of arrayed variables. For each variable, its
// dimensions (declared, or inferred from its definitions' subscripts) and
// which definition defines each element; checked for coverage (every
// element exactly once) and for the size limits before anything is
// allocated in proportion to the sizes.
#include <algorithm>

#include "compile/compiler.hpp"
#include "util/text.hpp"

namespace sim::detail {

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s;
}

}  // namespace

void Compiler::declare_dimensions(const std::vector<Dimension>& dims) { dims_.build(dims, diags_); }

std::vector<int> Compiler::tuple(const UVar& u, std::size_t flat) const {
    std::vector<int> t(u.dims.size());
    for (std::size_t k = u.dims.size(); k-- > 0;) {
        const auto n = static_cast<std::size_t>(u.sizes[k]);
        t[k] = dims_[u.dims[k]].elems[flat % n];
        flat /= n;
    }
    return t;
}

std::string Compiler::element_name(const Variable& v, const UVar& u, std::size_t flat) const {
    std::string s = v.name + "[";
    const std::vector<int> t = tuple(u, flat);
    for (std::size_t k = 0; k < t.size(); ++k) {
        if (k) s += ',';
        s += dims_.elem_name(t[k]);
    }
    return s + "]";
}

std::string Compiler::dims_text(const UVar& u) const {
    std::string s;
    for (std::size_t k = 0; k < u.dims.size(); ++k) s += (k ? ", " : "") + dims_[u.dims[k]].name;
    return s;
}

std::optional<std::vector<int>> Compiler::select(const std::string& entry, int d, const SourceLoc& loc,
                                                const std::string& var) {
    const DimInfo& dim = dims_[d];
    const std::string c = canonical_name(entry);
    std::vector<int> pos;
    if (const int s = dims_.dim(c); s >= 0) {
        for (int e : dims_[s].elems) {
            const int p = dim.find(e);
            if (p < 0) {
                diags_.error(sim::Code::E_DIMENSION_MISMATCH, loc, var,
                             "'" + entry + "' is not a subrange of '" + dim.name + "': its element '" +
                                 dims_.elem_name(e) + "' is not in '" + dim.name + "'");
                return std::nullopt;
            }
            pos.push_back(p);
        }
        return pos;
    }
    const int e = dims_.elem(c);
    const int p = e >= 0 ? dim.find(e) : -1;
    if (p < 0) {
        std::vector<std::string> names;
        for (int x : dim.elems) names.push_back(canonical_name(dims_.elem_name(x)));
        auto best = text::closest(c, names);
        diags_.error(sim::Code::E_UNKNOWN_ELEMENT, loc, var,
                     "'" + entry + "' is neither an element of '" + dim.name + "' nor a dimension" +
                         (best ? "; did you mean '" + dims_.elem_name(dims_.elem(*best)) + "'?" : std::string()));
        return std::nullopt;
    }
    pos.push_back(p);
    return pos;
}

// Invariant after (true): uv_[u].dims/sizes/flat_size are set, the sizes
// are within the limits, and def_of[flat] is the definition of each
// element (-1: the variable's own equation; -2: not an element, possible
// only when the dimensions were inferred) and val_of[flat] (if any
// definition lists values) its index in them; values counts are checked.
bool Compiler::shape(int ui, std::vector<int>& def_of, std::vector<int>& val_of) {
    const Variable& v = *uvars_[static_cast<std::size_t>(ui)];
    UVar& u = uv_[static_cast<std::size_t>(ui)];
    const SourceLoc at = v.loc.line > 0 ? v.loc : v.equation.loc;
    auto fail = [&](sim::Code code, const SourceLoc& loc, std::string msg) {
        diags_.error(code, loc, v.name, std::move(msg));
        return false;
    };
    const bool inferred = v.dimensions.empty();
    const std::size_t rank = inferred ? v.definitions.front().subscripts.size() : v.dimensions.size();
    if (rank == 0)
        return fail(sim::Code::E_DIMENSION_MISMATCH, at, "a definition of '" + v.name + "' has no subscripts");
    for (const auto& d : v.definitions)
        if (d.subscripts.size() != rank)
            return fail(sim::Code::E_DIMENSION_MISMATCH, d.loc.line > 0 ? d.loc : at,
                        "this definition of '" + v.name + "' has " + std::to_string(d.subscripts.size()) +
                            " subscripts, but '" + v.name + "' has " + std::to_string(rank) + " dimensions");
    if (!inferred) {
        for (const auto& name : v.dimensions) {
            const int d = dims_.dim(canonical_name(name));
            if (d < 0) {
                auto best = text::closest(canonical_name(name), dims_.dim_names());
                return fail(sim::Code::E_UNKNOWN_DIMENSION, at,
                            "'" + v.name + "' is declared over '" + name + "', which is not a dimension" +
                                (best ? "; did you mean '" + dims_[dims_.dim(*best)].name + "'?"
                                      : std::string("; declare it under dimensions")));
            }
            if (dims_[d].broken) return false;
            u.dims.push_back(d);
        }
    } else {
        // Each position: the family of the first dimension named there, else
        // of the first dimension (in declaration order) holding every element named.
        for (std::size_t k = 0; k < rank; ++k) {
            int chosen = -1;
            std::vector<int> elems;
            for (const auto& def : v.definitions) {
                const std::string c = canonical_name(def.subscripts[k]);
                if (const int d = dims_.dim(c); d >= 0) {
                    if (dims_[d].broken) return false;
                    if (chosen < 0) chosen = dims_[d].family;
                } else if (const int e = dims_.elem(c); e >= 0) {
                    elems.push_back(e);
                } else {
                    return fail(sim::Code::E_UNKNOWN_ELEMENT, def.loc.line > 0 ? def.loc : at,
                                "'" + def.subscripts[k] + "' is neither an element nor a dimension");
                }
            }
            if (chosen < 0) {
                for (int d = 0; d < dims_.count() && chosen < 0; ++d)
                    if (!dims_[d].broken &&
                        std::all_of(elems.begin(), elems.end(), [&](int e) { return dims_[d].holds(e); }))
                        chosen = dims_[d].family;
                if (chosen < 0)
                    return fail(sim::Code::E_DIMENSION_MISMATCH, at,
                                "the subscripts at position " + std::to_string(k + 1) + " of the definitions of '" +
                                    v.name + "' belong to no one dimension");
            }
            u.dims.push_back(chosen);
        }
    }
    // Sizes, within the limits, before anything is allocated per element.
    u.flat_size = 1;
    for (int d : u.dims) {
        u.sizes.push_back(dims_[d].size());
        if (u.flat_size > max_variable_elements / static_cast<std::size_t>(dims_[d].size()))
            return fail(sim::Code::E_ARRAY_SIZE, at,
                        "'" + v.name + "' over [" + dims_text(u) + "] has more than " +
                            std::to_string(max_variable_elements) + " elements (the limit)");
        u.flat_size *= static_cast<std::size_t>(dims_[d].size());
    }
    def_of.assign(u.flat_size, v.definitions.empty() ? -1 : -2);
    if (v.definitions.empty()) return true;

    // Definitions: the elements each selects, less its exceptions.
    if (std::any_of(v.definitions.begin(), v.definitions.end(), [](const auto& d) { return !d.values.empty(); }))
        val_of.assign(u.flat_size, -1);
    std::vector<int> value_count(v.definitions.size(), 0);
    bool ok = true;
    for (std::size_t di = 0; di < v.definitions.size(); ++di) {
        const ArrayDefinition& def = v.definitions[di];
        const SourceLoc dl = def.loc.line > 0 ? def.loc : at;
        std::vector<std::vector<int>> sel(rank);
        bool good = true;
        for (std::size_t k = 0; k < rank && good; ++k) {
            auto s = select(def.subscripts[k], u.dims[k], dl, v.name);
            if (!s) good = false;
            else sel[k] = std::move(*s);
        }
        std::vector<std::vector<std::vector<char>>> except;  // per pattern, per position: selected?
        for (const auto& ex : def.except) {
            if (!good) break;
            if (ex.size() != rank) {
                fail(sim::Code::E_DIMENSION_MISMATCH, dl,
                     ":EXCEPT: [" + join(ex) + "] has " + std::to_string(ex.size()) + " subscripts, but '" + v.name +
                         "' has " + std::to_string(rank) + " dimensions");
                good = false;
                break;
            }
            std::vector<std::vector<char>> mask(rank);
            for (std::size_t k = 0; k < rank && good; ++k) {
                mask[k].assign(static_cast<std::size_t>(u.sizes[k]), 0);
                auto s = select(ex[k], u.dims[k], dl, v.name);
                if (!s) good = false;
                else
                    for (int p : *s) mask[k][static_cast<std::size_t>(p)] = 1;
            }
            except.push_back(std::move(mask));
        }
        if (!good) {
            ok = false;
            continue;
        }
        // Odometer over the selection, last position fastest.
        std::vector<std::size_t> idx(rank, 0);
        std::string overlap;
        for (bool more = true; more;) {
            bool excluded = false;
            for (const auto& m : except) {
                bool all = true;
                for (std::size_t k = 0; k < rank && all; ++k)
                    all = m[k][static_cast<std::size_t>(sel[k][idx[k]])] != 0;
                excluded = excluded || all;
            }
            if (!excluded) {
                std::size_t flat = 0;
                for (std::size_t k = 0; k < rank; ++k) flat = flat * static_cast<std::size_t>(u.sizes[k]) + static_cast<std::size_t>(sel[k][idx[k]]);
                if (def_of[flat] >= 0) {
                    if (overlap.empty()) overlap = element_name(v, u, flat);
                } else {
                    def_of[flat] = static_cast<int>(di);
                    if (!def.values.empty()) val_of[flat] = value_count[di];
                    ++value_count[di];
                }
            }
            more = false;
            for (std::size_t k = rank; k-- > 0;) {
                if (++idx[k] < sel[k].size()) {
                    more = true;
                    break;
                }
                idx[k] = 0;
            }
        }
        if (!overlap.empty()) {
            ok = false;
            fail(sim::Code::E_OVERLAPPING_DEFINITION, dl,
                 "this definition of '" + v.name + "' defines " + overlap +
                     ", which an earlier definition already defines; each element must be defined once (use :EXCEPT: or "
                     "narrower subscripts)");
        }
        if (!def.values.empty() && static_cast<int>(def.values.size()) != value_count[di]) {
            ok = false;
            fail(sim::Code::E_ARRAY_VALUES, dl,
                 "this definition of '" + v.name + "' lists " + std::to_string(def.values.size()) + " values for " +
                     std::to_string(value_count[di]) + " elements: give one value per element, the last dimension varying fastest");
        }
    }
    if (!ok) return false;
    if (!inferred) {
        std::vector<std::string> missing;
        std::size_t n = 0;
        for (std::size_t f = 0; f < u.flat_size; ++f)
            if (def_of[f] == -2) {
                if (missing.size() < 3) missing.push_back(element_name(v, u, f));
                ++n;
            }
        if (n > 0)
            return fail(sim::Code::E_INCOMPLETE_DEFINITION, at,
                        "the definitions of '" + v.name + "' leave " + std::to_string(n) + " of its " +
                            std::to_string(u.flat_size) + " elements undefined: " + join(missing) +
                            (n > missing.size() ? ", ..." : "") + "; define them or give an equation for the rest");
    }
    return true;
}

}  // namespace sim::detail
