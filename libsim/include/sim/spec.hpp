// ModelSpec: the format-neutral description of a stock-flow model.
// Every loader (YAML, XMILE) and the C++ builder API produce one; the compiler
// reads it. Plain value types; every item carries its source position, and
// every equation is parsed once, when it is read (sim/expr.hpp).
#pragma once

#include <cstddef>
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

// --- Arrays (subscripts) ---------------------------------------------------
//
// A dimension (subscript range) is an ordered list of elements. Element
// names are global, compared in canonical form: an element is the same
// element in every dimension that lists it. So a dimension whose elements
// all belong to a larger one is a *subrange* of it (its elements are those
// elements of the larger one), and a reference to `x[sub]` in an equation
// that iterates a dimension holding the same element picks that element.
// The *family* of a dimension is the largest dimension holding all its
// elements (itself if none is larger); a dimension name used as a value in
// an equation is the 1-based position of its current element in the family.
//
// A variable over dimensions (D1, ..., Dn) has one element per combination,
// each compiled like a scalar variable and named `name[e1,e2,...]` (display
// names, no spaces after commas: the column names of Results).
//
//   ModelSpec m;
//   m.dimensions.push_back({"region", {"north", "south"}});
//   auto& pop = m.add_stock("population", "100", {"births"});
//   pop.dimensions = {"region"};                              // apply-to-all
//   m.add_flow("births", "population[region] * rate[region]").dimensions = {"region"};
//   auto& rate = m.add_constant("rate", 0);
//   rate.dimensions = {"region"};
//   rate.definitions = {{.subscripts = {"region"}, .values = {0.02, 0.03}}};

// Vensim's `B: b1, b2 -> A` (by position) or `B: b1, b2 -> (A: a2, a1)`:
// where an equation iterates A and a reference is subscripted by B (or the
// other way round), b_k stands for the element it maps to.
struct DimensionMapping {
    std::string target;  // the dimension mapped to
    // One entry per element of the mapped dimension, in its order: an
    // element of `target`, or a subrange of it (the element maps to each of
    // its elements). Empty: by position (sizes must be equal).
    std::vector<std::string> elements;
    SourceLoc loc;
};

struct Dimension {
    std::string name;
    // Elements in order (display names). An entry that names another
    // dimension stands for all of its elements, in order (Vensim's
    // `dim: a, sub1, b` and `sub2: sub1`).
    std::vector<std::string> elements;
    // Vensim's `name <-> other`: an equivalent dimension with the elements of
    // `other`, iterated independently of it (x[other, name] is a square
    // matrix). `elements` is then empty.
    std::string equivalent_to;
    std::vector<DimensionMapping> mappings;
    SourceLoc loc;
};

// Bounds an input cannot exceed (E-ARRAY-SIZE, checked before anything is
// allocated in proportion): elements of one dimension, elements of one
// variable (the product of its dimensions' sizes) and element variables in
// a model.
inline constexpr std::size_t max_dimension_elements = 100'000;
inline constexpr std::size_t max_variable_elements = 1'000'000;
inline constexpr std::size_t max_model_elements = 1'000'000;

// One definition of some elements of an arrayed variable (Vensim `x[a, d]
// :EXCEPT: [a, d1] = ...`, an XMILE `<element subscript="a,b">`). The
// definitions of a variable must cover each of its elements exactly once.
struct ArrayDefinition {
    // One entry per dimension of the variable: an element, a subrange (or
    // an equivalent dimension) or the dimension itself. In the equation a
    // dimension or subrange named here stands for the element being defined.
    std::vector<std::string> subscripts;
    // :EXCEPT: patterns (each as long as `subscripts`): their elements are
    // not defined here.
    std::vector<std::vector<std::string>> except;
    // The value (stocks: the initial value). Unused when `values` is given.
    Equation equation;
    // Stocks only: a net rate (Vensim INTEG(rate, initial)) for these elements.
    Equation net_rate;
    // Numbers instead of an equation (Vensim `1, 2, 3; 4, 5, 6`): one per
    // element of the pattern (less the exceptions), the last dimension
    // varying fastest.
    std::vector<double> values;
    // An element-wise graphical function: lookups, the table of each of
    // these elements; auxiliaries and flows, applied to `equation`.
    std::optional<GraphicalFunction> gf;
    SourceLoc loc;  // of the definition (its subscripts)
};

// How reports and dashboards show a variable (all optional; YAML keys
// `title`, `title_zh`, `better`, `money`, `display: {scale, units, units_zh}`
// on the variable; docs/model-format.md). The displayed value is
// value * scale, in `units` (default: the variable's own units).
struct Display {
    std::string title;     // e.g. "rural disposable income per person"
    std::string title_zh;  // e.g. "农村居民人均可支配收入"
    std::string units;     // units of the displayed value ("" = Variable::units)
    std::string units_zh;
    double scale = 1;
    std::optional<bool> lower_is_better;  // `better: higher|lower`
    // Nominal money: reports also show it in constant prices through the
    // model's deflator (ModelSpec::deflator).
    bool money = false;
    bool empty() const {
        return title.empty() && title_zh.empty() && units.empty() && units_zh.empty() && scale == 1 &&
               !lower_is_better && !money;
    }
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
    bool non_negative = false;  // stocks and flows (every element of an array)
    std::string units;
    std::string doc;
    Display display;
    // Stocks: a net rate of change (Vensim INTEG(rate, initial)), added to
    // the inflows less the outflows; empty if none.
    Equation net_rate;
    // Arrays: the dimensions (names of ModelSpec::dimensions), in order;
    // empty for a scalar. With no `definitions`, `equation`, `net_rate` and
    // `gf` define every element (apply-to-all); with definitions, they must
    // cover every element exactly once.
    // With definitions but no dimensions (Vensim, where a variable's range
    // is implied by its definitions), each position's dimension is the
    // family of the dimensions and elements named there, and the variable
    // has exactly the elements its definitions cover (Vensim allows a
    // variable defined for some elements of a range only; the others do not
    // exist); overlapping definitions are still an error.
    std::vector<std::string> dimensions;
    std::vector<ArrayDefinition> definitions;
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
    std::string title_zh;     // display in Chinese (reports' --lang zh)
    std::string name_zh;      // short name in Chinese, for sentences
    std::string description;  // what it changes
    bool on = false;
    double intensity = 1.0;   // in [0, 1]
    double start = 0;
    double phase_in = 0;
    Equation cost;            // optional; may use L_lever and any model variable
    std::string cost_units;
    SourceLoc loc;
};

// The price index that turns nominal money variables (Display::money) into
// constant prices of `year`: real = nominal * index(year) / index(t).
// YAML: `deflator: price_level` or `deflator: {variable: price_level, year: 2023}`
// (year defaults to the start time).
struct Deflator {
    std::string variable;  // "" = none
    std::optional<double> year;
    SourceLoc loc;
};

struct ModelSpec {
    std::string name;
    std::string file;  // where it was loaded from, "" if built in code
    std::string doc;
    SimSpecs specs;
    Deflator deflator;
    std::vector<Dimension> dimensions;
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
    // NAME, or for an array element `x[a]` (a saved column) its array x.
    const Variable* find_or_array(std::string_view name) const;
    // What reports and the dashboard show for NAME: the variable's display
    // metadata, its units when the display gives none and keeps the scale;
    // an array element's is its array's with the element appended to the
    // titles ("... [core]"). Empty if NAME is unknown. A linear search: a
    // caller describing every variable looks them up once and calls the
    // free display_of below.
    Display display_of(std::string_view name) const;
    Lever* find_lever(std::string_view name);
};

// ModelSpec::display_of for a variable already found: `v` is the variable
// named `column`, or (element true) the array `column` is an element of.
Display display_of(const Variable& v, std::string_view column, bool element);

// canonical_name (the identity of names) is declared in sim/expr.hpp.

}  // namespace sim
