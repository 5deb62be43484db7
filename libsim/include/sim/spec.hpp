// ModelSpec: the format-neutral description of a stock-flow model.
// Every loader (YAML, XMILE) and the C++ builder API produce one; the compiler
// reads it. Plain value types; every item carries its source position, and
// every equation is parsed once, when it is read (sim/expr.hpp).
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/experiment_spec.hpp"
#include "sim/expr.hpp"

namespace sim {

// An equation: its parsed tree, the text it was parsed from (kept for
// display) and the position of that text's first character, to which the
// tree's spans are relative (see `at`).
//
// Invariant: `tree` is the parse of `text`, or `error` says why there is
// none, or the text is blank (both empty). A tree built by a pass rather than
// parsed (Equation::of) has spans {0, 0} and, as text, its printed form.
// An Equation whose text was assigned directly (no tree, no error) is parsed
// when the model is compiled.
struct Equation {
    std::string text;
    SourceLoc loc;  // position of text[0], or of the construct that generated the tree
    ast::Expr tree;
    std::optional<ast::ParseError> error;  // the first parse error; reported when compiled
    // Continuation lines of `text` start at column 1 (text copied from the
    // file as is, e.g. a Vensim .mdl equation) rather than at loc.col.
    bool lines_from_col1 = false;

    // Parses `text` now; a parse error is kept, not thrown or reported.
    static Equation parse(std::string text, SourceLoc loc = {});
    static Equation parse(std::string text, SourceLoc loc, ast::Dialect dialect);
    // A tree built by a pass (its text is the printed tree).
    static Equation of(ast::Expr tree, SourceLoc loc = {});
    // A number (its text is the shortest form that reads back exactly).
    static Equation number(double value, SourceLoc loc = {});

    // Position of text[offset]: lines advance at '\n'; continuation lines are
    // assumed to start at loc.col (as in YAML block scalars).
    SourceLoc at(std::size_t offset) const;
    SourceLoc at(ast::Span span) const { return at(span.begin); }
    bool empty() const { return tree.empty() && !error && text.find_first_not_of(" \t\r\n") == std::string::npos; }
    bool parsed() const { return !tree.empty() || error.has_value(); }
    // The value if the tree is a number, possibly signed (`-0.5`).
    std::optional<double> number_value() const;
};

enum class VarKind { stock, flow, aux, constant, lookup };
const char* to_string(VarKind k);

enum class LookupKind { continuous, extrapolate, discrete };
const char* to_string(LookupKind k);

// A graphical function (lookup table). x strictly increasing, same length as y.
struct GraphicalFunction {
    LookupKind kind = LookupKind::continuous;
    std::vector<double> x;
    std::vector<double> y;
    SourceLoc loc;
};

// (A field added here must also be copied by compile/compile.cpp's
// without_tree, which makes the copy a compiled model keeps.)
struct Variable {
    VarKind kind = VarKind::aux;
    std::string name;  // display name as written in the model
    SourceLoc loc;     // position of the declaration
    // stock: initial value; flow/aux/constant: its equation;
    // lookup: empty (called by name, `f(x)`).
    // A flow/aux with `gf` set evaluates gf(equation) (XMILE embedded gf).
    Equation equation;
    std::vector<std::string> inflows;   // stocks only: flow names as written
    std::vector<std::string> outflows;  // stocks only
    std::optional<GraphicalFunction> gf;
    bool non_negative = false;  // stocks and flows
    std::string units;
    std::string doc;
};

enum class Method { euler, rk2, rk4, rk45 };
const char* to_string(Method m);
std::optional<Method> parse_method(std::string_view s);  // euler|rk2|rk4|rk45 (case-insensitive)

struct SimSpecs {
    double start = 0;
    double stop = 100;
    double dt = 1;
    std::optional<double> save_step;  // defaults to dt
    Method method = Method::euler;
    double atol = 1e-6;  // rk45 only
    double rtol = 1e-6;  // rk45 only
    std::string time_units;
    SourceLoc loc;
};

// A policy lever, declared with the model. Compiling a model with levers
// adds, for a lever named L, the constants L_on (0/1), L_intensity, L_start,
// L_phase_in, the auxiliary
//   L_lever = L_on * L_intensity * MIN(1, MAX(0, (TIME - L_start) / L_phase_in))
// (a step at L_start when L_phase_in <= 0) that model equations use, and, if
// `cost` is given, the auxiliary L_cost (fiscal cost per unit time).
struct Lever {
    // The suffixes of the constants a lever adds, in this order: L_on,
    // L_intensity, L_start, L_phase_in.
    static constexpr std::string_view setting_suffixes[] = {"_on", "_intensity", "_start", "_phase_in"};

    std::string name;
    std::string title;
    std::string section;      // e.g. "§5.1"
    std::string description;  // what it changes
    bool on = false;
    double intensity = 1.0;   // in [0, 1]
    double start = 0;
    double phase_in = 0;
    Equation cost;            // optional; may use L_lever and any model variable
    std::string cost_units;
    SourceLoc loc;
};

struct ModelSpec {
    std::string name;
    std::string file;  // where it was loaded from, "" if built in code
    std::string doc;
    SimSpecs specs;
    // std::deque: adding an element never moves the others, so references
    // to variables and levers stay valid while more are added.
    std::deque<Variable> variables;
    std::deque<Lever> levers;
    // Experiment declarations (sim/experiment_spec.hpp); a scenario merges
    // its own into its model's.
    std::vector<Uncertainty> uncertainties;
    std::vector<RankCorrelation> correlations;
    std::vector<BehaviourCheck> checks;

    // Builder API (the C++ way to write a model; see examples/build_in_code.cpp).
    // Each parses its equation at once (a parse error is kept with the
    // equation and reported by Model::compile). The reference returned stays
    // valid while this ModelSpec lives, whatever is added after it:
    //
    //   auto& tax = m.add_lever("tax");
    //   auto& pop = m.add_stock("population", "1000", {"births"});
    //   tax.on = true;                // still valid
    //   pop.units = "people";
    Variable& add_stock(std::string name, std::string initial,
                        std::vector<std::string> inflows = {},
                        std::vector<std::string> outflows = {});
    Variable& add_flow(std::string name, std::string equation);
    Variable& add_aux(std::string name, std::string equation);
    Variable& add_constant(std::string name, double value);
    Variable& add_lookup(std::string name, std::vector<double> x, std::vector<double> y,
                         LookupKind kind = LookupKind::continuous);
    Lever& add_lever(std::string name, std::string title = {});

    // Lookup by canonical name; nullptr if absent.
    Variable* find(std::string_view name);
    const Variable* find(std::string_view name) const;
    Lever* find_lever(std::string_view name);
};

// canonical_name (the identity of names) is declared in sim/expr.hpp.

}  // namespace sim
