// The result columns of a model's stocks: a scalar stock is one column, an arrayed stock one
// column per element (`name[e1,e2]`, in the model's order), so default indicators and the
// non-negativity check cover every element rather than asking for the array's bare name.
#pragma once

#include <string>
#include <vector>

#include "sim/model.hpp"

namespace sim::detail {

inline void append_stock_columns(const Model& model, const std::string& stock, std::vector<std::string>& out) {
    if (model.has_variable(stock)) {
        out.push_back(stock);
        return;
    }
    const std::string prefix = stock + "[";
    for (const auto& n : model.variable_names())
        if (n.compare(0, prefix.size(), prefix) == 0 && model.kind(n) == VarKind::stock) out.push_back(n);
}

}  // namespace sim::detail
