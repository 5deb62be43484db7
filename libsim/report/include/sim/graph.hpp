// A model's stock-and-flow structure as a Graphviz DOT graph (library
// sim::report): stocks as boxes, flows as valves on pipes between stocks and
// clouds, auxiliaries and constants as ellipses, levers highlighted, and an
// arrow from everything an equation names to its variable. The dependencies
// come from the equation trees of the ModelSpec, not from the text. Format:
// docs/cli.md ("sdsim graph").
//
//   sim::ModelSpec spec = sim::load_model("models/classic/sir.yaml");
//   sim::write_dot(spec, std::cout);                        // every variable
//   sim::GraphOptions o;
//   o.levels = sim::GraphLevels::stocks;                    // stocks, flows, levers
//   sim::write_dot(spec, std::cout, o);                     // then: dot -Tsvg
//   o.only = {"infected", "infection", "recovered"};        // a causal-loop view
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/spec.hpp"

namespace sim {

enum class GraphLevels {
    // Stocks, flows and levers only; an arrow X -> flow says that the flow's
    // equation depends on X through auxiliaries and constants not shown.
    stocks,
    // Stocks, flows, levers and auxiliaries (with their lever cost
    // variables); arrows through constants are dropped.
    aux,
    // Every variable, constants and graphical functions included.
    all,
};
const char* to_string(GraphLevels l);
std::optional<GraphLevels> parse_graph_levels(std::string_view s);  // stocks|aux|all

struct GraphOptions {
    GraphLevels levels = GraphLevels::all;
    // If not empty: show only these variables and levers (names compared in
    // canonical form), whatever `levels` says. An arrow X -> Y stands for a
    // path of dependencies through variables not shown; through a stock not
    // shown the path runs through its flows, and a shown stock whose flows
    // are not shown gets the arrows of its flows' dependencies (a causal-loop
    // view of the model's structure).
    std::vector<std::string> only;
    // Dashed arrows from what a stock's initial value names (not at `stocks`,
    // nor with `only`).
    bool initial_links = true;
    std::string title;  // the graph's label; "" = the model's name
};

// Writes `spec` as one `digraph`, deterministic: nodes in model order, then
// the levers. Names that are not variables (TIME, builtins, unknown names)
// draw nothing. Throws sim::Error (E-UNKNOWN-NAME, with a suggestion) for a
// name in `only` that is neither a variable nor a lever, before writing.
void write_dot(const ModelSpec& spec, std::ostream& out, const GraphOptions& options = {});

}  // namespace sim
