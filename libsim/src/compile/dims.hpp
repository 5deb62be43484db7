// The compiler's table of dimensions (private to compile/): the spec's
// Dimension declarations resolved once into element ids, positions,
// families and mappings (sim/spec.hpp states the semantics).
//
// Invariants after Dims::build: every dimension that is not `broken` has at
// least one element and no element twice; an element id names one
// canonical element name (its display name is the first spelling met);
// `family` is the largest dimension holding every element (itself if none
// is larger; the first declared on a tie); each mapping lists, for every
// element, the target elements it stands for.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/spec.hpp"

namespace sim::detail {

struct DimMap {
    int target = -1;
    std::vector<std::vector<int>> to;  // to[k]: target elements of element k (one, or a subrange's)
};

struct DimInfo {
    std::string name, canonical;
    std::vector<int> elems;                // element ids in order
    std::unordered_map<int, int> position; // element id -> 0-based position
    int family = -1;
    std::vector<DimMap> maps;
    SourceLoc loc;
    bool broken = false;

    int find(int elem) const {
        auto it = position.find(elem);
        return it == position.end() ? -1 : it->second;
    }
    bool holds(int elem) const { return position.count(elem) > 0; }
    int size() const { return static_cast<int>(elems.size()); }
};

class Dims {
public:
    // Reports every problem (E-DIMENSION, E-ARRAY-SIZE) and marks the
    // dimension broken; the others are still built.
    void build(const std::vector<Dimension>& specs, Diagnostics& diags);

    int dim(std::string_view canonical) const;   // -1 if none
    int elem(std::string_view canonical) const;  // -1 if no dimension lists it
    const DimInfo& operator[](int d) const { return dims_[static_cast<std::size_t>(d)]; }
    const std::string& elem_name(int e) const { return elem_names_[static_cast<std::size_t>(e)]; }
    int count() const { return static_cast<int>(dims_.size()); }
    bool empty() const { return dims_.empty(); }
    // Canonical names of all dimensions and elements (for suggestions).
    std::vector<std::string> dim_names() const;
    std::vector<std::string> elem_names() const;
    // The target elements element `e` of dimension `from` maps to in `to`
    // (through a mapping declared on either side); empty if none.
    std::vector<int> mapped(int from, int e, int to) const;

private:
    std::vector<DimInfo> dims_;
    std::vector<std::string> elem_names_;
    std::unordered_map<std::string, int> dim_index_, elem_index_;

    int intern(const std::string& display);
};

}  // namespace sim::detail
