// The XMILE reader's state (private to io/xmile/): XML via pugixml ->
// ModelSpec, every equation parsed as it is read.
//   document.cpp   the file: namespaces, prefixes, top-level elements
//   specs.cpp      <sim_specs>, <dimensions>, <behavior>
//   variables.cpp  <stock>, <flow>, <aux>, <gf>: equations, graphical functions
//   modules.cpp    one model instance: its names, its variables, its modules
//   arrays.cpp     <dimensions> of a variable, <element>s, the Vensim-export forms
//   flatten.cpp    the tree pass that flattens modules
//   macros.cpp     <macro> definitions and the tree pass that expands calls
//
// Modules are flattened (a variable `v` of module `m` becomes `m.v`; a
// `<connect>`ed input becomes an auxiliary equal to its source) by renaming
// nodes of the parsed trees; the equation text stays as written, so
// positions stay exact. Arrays stay arrays: a variable keeps its dimensions
// and its per-element definitions (sim/spec.hpp), which the compiler
// expands. Anything the reader does not understand is a diagnostic with the
// XML line and column, never silently dropped when it could change results.
#pragma once

#include <pugixml.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/limits.hpp"
#include "sim/spec.hpp"
#include "util/text.hpp"

namespace sim::xmile {

inline std::string trimmed(std::string_view s) { return std::string(text::trim(s)); }
// A number in an attribute or element (util/text.hpp's rules), or nullopt.
inline std::optional<double> number(std::string_view s) {
    auto p = text::parse_number(s);
    return p ? std::optional<double>(p.value) : std::nullopt;
}

// Byte offset -> 1-based line and column (columns count UTF-8 code points).
class LineIndex {
public:
    explicit LineIndex(std::string_view text);
    SourceLoc loc(const std::string& file, std::size_t offset) const;

private:
    std::string_view text_;
    std::vector<std::size_t> starts_;
};

// XMILE writes a line break inside a name as the two characters `\n`.
std::string unescape_name(std::string_view s);
// A name reference as written in <inflow>, <connect from=...>: trimmed, unquoted.
std::string ref_name(std::string_view s);

struct Dim {
    std::string name;                // display name
    std::vector<std::string> elems;  // display names of the elements
};

struct Behavior {
    bool stock_non_negative = false;
    bool flow_non_negative = false;
};

// Everything needed to flatten the names of one model instance's equations.
struct Scope {
    std::string prefix;            // canonical prefix of flattened names, "" at the root ("m." in module m)
    std::string display_prefix;    // same, as written ("Hares.")
    std::set<std::string> locals;  // canonical names of this model's variables
    std::set<std::string> modules; // canonical names of module instances in this model
    std::set<std::string> stock_flows;          // canonical names listed as a stock's inflow or outflow
};

// A <macro> (XMILE 1.0 section 4.8): called like a function. Without
// <variables> each call is replaced by the macro's <eqn> with the call's
// arguments in place of its parameters; with <variables> each call is an
// instance of them (named `MACRO#k.var`, each parameter an auxiliary equal
// to its argument) and is replaced by the <eqn> read in that instance.
struct MacroParm {
    std::string name;  // as written
    std::string canonical;
    pugi::xml_node node;
    std::optional<Equation> fallback;  // default="...": may use earlier parameters
};

struct MacroDef {
    std::string name;  // as written
    std::string canonical;
    pugi::xml_node node;
    std::vector<MacroParm> parms;
    std::size_t required = 0;  // parameters without a default (they come first)
    Equation eqn;
    pugi::xml_node vars;  // <variables>, or null for an expression macro
};

// Connected module inputs: canonical local name -> (canonical flattened
// source name, the <connect> element).
using Inputs = std::map<std::string, std::pair<std::string, pugi::xml_node>>;

class Loader {
public:
    Loader(std::string_view text, std::string file, Diagnostics& diags, const Limits& limits)
        : text_(text), file_(std::move(file)), diags_(diags), limits_(limits), lines_(text) {}

    ModelSpec run();

private:
    std::string_view text_;
    std::string file_;
    Diagnostics& diags_;
    const Limits& limits_;
    LineIndex lines_;
    // Set once a limit (variables, module instances) is exceeded: reading
    // stops adding to the model, so the error is reported once.
    bool over_limit_ = false;
    std::size_t module_instances_ = 0;
    pugi::xml_document doc_;
    std::string xmile_prefix_;  // prefix bound to the XMILE namespace, "" if it is the default
    std::map<std::string, Dim> dims_;
    std::map<std::string, pugi::xml_node> models_;  // canonical model name -> <model>
    Behavior behavior_;
    ModelSpec spec_;
    std::set<std::string> defined_;  // canonical flattened names already emitted
    std::vector<std::string> module_stack_;
    std::set<std::string> recovered_;  // undeclared namespace prefixes, declared on the root
    std::map<std::string, MacroDef> macros_;  // canonical macro name -> definition (the well-formed ones)
    std::set<std::string> macro_names_;       // every <macro> name read (duplicates)
    std::size_t mx_depth_ = 0;                // recursion of the expansion (all equations being expanded)
    std::vector<std::string> macro_stack_;    // macros being expanded, outermost first
    std::size_t macro_instances_ = 0;         // calls of macros with <variables> (MACRO#k.)
    // Nodes made by expanding macro calls, kept or not (Limits::operations):
    // a macro passing its parameter on twice doubles its argument per level.
    std::size_t made_ = 0;
    bool operations_reported_ = false;

    SourceLoc loc(pugi::xml_node n) const;
    void error(sim::Code code, pugi::xml_node n, std::string var, std::string msg) {
        diags_.error(std::move(code), loc(n), std::move(var), std::move(msg));
    }
    void warning(sim::Code code, pugi::xml_node n, std::string var, std::string msg) {
        diags_.warning(std::move(code), loc(n), std::move(var), std::move(msg));
    }

    // Local name of an XMILE element; "" for vendor elements (isee:..., other namespaces).
    std::string_view tag(pugi::xml_node n) const;
    pugi::xml_node child(pugi::xml_node n, std::string_view t) const;
    std::string text_of(pugi::xml_node n) const;

    // document.cpp
    bool check_depth(pugi::xml_node root);
    void check_prefixes(pugi::xml_node root);
    bool check_namespace(pugi::xml_node root);
    // specs.cpp
    void read_specs(pugi::xml_node specs);
    std::optional<double> spec_number(pugi::xml_node n, const char* what);
    void read_dimensions(pugi::xml_node dims);
    Behavior read_behavior(pugi::xml_node b, Behavior base);
    std::optional<bool> read_bool(pugi::xml_node n, const std::string& var);
    // variables.cpp
    std::optional<GraphicalFunction> read_gf(pugi::xml_node gf, const std::string& var);
    std::vector<double> read_points(pugi::xml_node pts, const std::string& var, bool& ok);
    Equation read_eqn(pugi::xml_node eqn, const std::string& var);
    // The equation of `eqn` flattened for `scope` (module names), its macro
    // calls expanded (`arrayed`: an arrayed variable's equation).
    Equation scoped_eqn(pugi::xml_node eqn, const Scope& scope, const std::string& var, bool arrayed = false);
    void read_variable(pugi::xml_node v, const Scope& scope, Behavior beh, const Inputs& inputs);
    void add_variable(Variable v, pugi::xml_node where);
    // modules.cpp
    void load_instance(pugi::xml_node model, const std::string& prefix, const std::string& display_prefix,
                       Behavior beh, const Inputs& inputs);
    // The variables of one instance (a model's or a macro's <variables>),
    // except those named in `skip`.
    void load_variables(pugi::xml_node vars, const Scope& scope, Behavior beh, const Inputs& inputs,
                        const std::set<std::string>& skip);
    Scope collect_scope(pugi::xml_node vars, const std::string& prefix, const std::string& display_prefix);
    void instantiate_module(pugi::xml_node v, const std::string& prefix, const std::string& display_prefix,
                            Behavior beh);
    // arrays.cpp
    // The dimensions of `dims` (a variable's <dimensions>), recovering the
    // nested, doubled form of Vensim exports; nullopt if reported.
    std::optional<std::vector<std::string>> read_var_dims(pugi::xml_node dims, const std::string& var);
    // A variable's per-element definitions: its <element>s, several bare
    // <eqn>s (Vensim exports: one per element, in order), or a list of
    // numbers as its <eqn>; false if reported.
    bool read_elements(pugi::xml_node v, Variable& var, const Scope& scope);
    // flatten.cpp
    void flatten(Equation& eq, const Scope& scope, const std::string& var);
    // macros.cpp
    void read_macro(pugi::xml_node m);
    // Refuses recursive macros and chains of calls deeper than Limits::depth.
    void check_macro_calls();
    // The tree pass: every call of a macro in `eq` expanded (see MacroDef);
    // the tree is left as it was if an error is reported.
    void expand_macros(Equation& eq, const Scope& scope, const std::string& var, bool arrayed);
    struct MacroCtx;
    using Bindings = std::map<std::string, ast::NodeId>;
    ast::NodeId mx_copy(const ast::Expr& src, ast::NodeId id, ast::Expr& out, MacroCtx& c, const Bindings* b,
                        std::optional<ast::Span> at);
    ast::NodeId mx_graft(const ast::Expr& from, ast::NodeId id, ast::Expr& out, MacroCtx& c,
                         std::optional<ast::Span> at);
    ast::NodeId mx_call(const MacroDef& mac, const ast::Expr& src, const ast::Node& n, const ast::Call& x,
                        ast::Expr& out, MacroCtx& c, const Bindings* b, std::optional<ast::Span> at);
    bool mx_made(MacroCtx& c, ast::Span at);
    // A macro with <variables>: one instance of them; returns its scope.
    Scope load_macro_instance(const MacroDef& mac, const std::string& prefix, const std::string& display_prefix,
                              std::vector<Equation> args, const std::string& var);
};

}  // namespace sim::xmile
