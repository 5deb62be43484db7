// The Vensim reader's tree pass, shared between its four files (private to
// io/vensim/): the Expander that expand() runs, and what it carries.
//   expand.cpp        the pass itself: dimensions, time settings, each
//                     variable's definitions and elements, stocks' rates,
//                     derived lookup tables, data variables;
//   expand_tree.cpp   an equation's tree copied for one element: names,
//                     subscripts bound to elements;
//   expand_calls.cpp  calls: array functions, Vensim functions mapped onto
//                     the builtin table, VECTOR LOOKUP, macro instances;
//   expand_vectors.cpp  VECTOR SELECT, RANK, SORT ORDER, REORDER, INVERT
//                     MATRIX, ALLOCATE AVAILABLE.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/vensim/data.hpp"
#include "io/vensim/expand.hpp"

namespace sim::vensim::detail {

using ast::NodeId;

struct Scope {  // one macro instance
    const Macro* macro = nullptr;
    std::string prefix;  // "MACRO#k."
    std::map<std::string, std::pair<const ast::Expr*, NodeId>> inputs;
    std::set<std::string> locals;
    int depth = 0;
};

struct Ctx {
    const std::vector<std::string>* lhs = nullptr;  // canonical subscripts on the left
    std::vector<std::string> elems;                 // the element bound at each
    std::map<std::string, std::string> bang;         // d (without '!') -> element, inside SUM etc.
    std::set<std::string> bang_only;                 // of those, the ones a plain `d` does not see (VECTOR SELECT)
    const Scope* scope = nullptr;
    const Equation* eq = nullptr;
    std::string var;  // display name, for messages
    bool failed = false;
};

struct PendingStock {
    std::size_t var;  // index in spec.variables
    Equation rate;
};

class Expander {
public:
    Expander(Parsed& m, ModelSpec& spec, Diagnostics& diags, const Limits& limits)
        : m_(m), spec_(spec), diags_(diags), limits_(limits) {}

    void run();

private:
    Parsed& m_;
    ModelSpec& spec_;
    Diagnostics& diags_;
    const Limits& limits_;
    std::map<std::string, std::string> elem_display_;  // canonical element -> as written
    std::map<std::string, const Macro*> macros_;
    std::map<std::string, std::size_t> elem_pos_;  // canonical element -> position in the first range listing it
    std::map<std::string, const Dim*> elem_root_;  // canonical element -> that range (elem_pos_ is 1-based in it)
    std::set<std::string> variables_;              // canonical names of the model's variables
    std::unordered_map<std::string, std::size_t> by_name_;  // canonical -> spec variable
    std::vector<PendingStock> pending_;
    std::map<std::string, std::pair<std::string, LookupKind>> derived_;  // derived canonical -> (table canonical, kind)
    std::size_t instances_ = 0;
    bool operations_reported_ = false;
    std::size_t made_ = 0;  // nodes made so far, kept or not (macro arguments too): Limits::operations
    double saveper_ = 1;
    bool too_many_ = false;
    std::size_t random_calls_ = 0;
    DataFiles data_files_;  // this load's data files, each read once (data.hpp)

    // --- dimensions (expand.cpp)
    void dimensions();

    bool is_dim(const std::string& c) const { return m_.dims.count(c) > 0; }
    bool is_elem(const std::string& c) const { return elem_display_.count(c) > 0; }
    static bool contains(const Dim& d, const std::string& e) {
        return std::find(d.elems.begin(), d.elems.end(), e) != d.elems.end();
    }

    // --- INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER (expand.cpp)
    static bool is_control(const std::string& c) {
        return c == "initial_time" || c == "final_time" || c == "time_step" || c == "saveper";
    }

    void controls();

    // --- variables (expand.cpp)
    void error(Code code, const Ctx& c, ast::Span span, std::string msg) {
        diags_.error(code, c.eq ? c.eq->at(span) : SourceLoc{m_.file, 0, 0}, c.var, std::move(msg));
    }

    std::string element_name(const std::string& base, const std::vector<std::string>& elems) const;
    bool combos(const Def& d, std::vector<std::vector<std::string>>& out);
    bool combos(const Def& d, std::vector<std::vector<std::string>>& out, std::vector<std::vector<std::string>>& choices);
    std::string suggest(const std::string& c) const;
    std::size_t add_var(Variable v);
    void variable(const std::vector<const Def*>& defs, const Scope* scope);
    void element(const Def& d, const std::vector<std::string>& elems, std::size_t k, const Scope* scope,
                 const DataValues* data);
    void derived_tables();
    void stocks();
    bool data_element(const DataValues& data, const Def& d, const std::vector<std::string>& elems, Variable& v);

    // --- the tree pass (expand_tree.cpp)
    Equation rebuilt(const Equation& eq, Ctx& c);
    NodeId number(ast::Expr& out, double v, ast::Span s);
    NodeId copy(const ast::Expr& src, NodeId id, ast::Expr& out, Ctx& c);
    bool too_many_nodes(Ctx& c, ast::Span span);
    bool made(Ctx& c, std::size_t k, ast::Span span);
    std::optional<std::string> bind(const std::string& d, const Ctx& c) const;
    NodeId name(const ast::Expr& src, const ast::Node& n, const ast::Name& x, ast::Expr& out, Ctx& c);
    NodeId graft(const ast::Expr& from, NodeId id, ast::Expr& out, ast::Span s);
    void bangs(const ast::Expr& src, NodeId id, std::vector<std::string>& out) const;

    // --- calls and macros (expand_calls.cpp)
    NodeId combine(std::vector<NodeId>& terms, std::size_t b, std::size_t e, ast::Expr& out, const std::string& f, ast::Span s);
    NodeId call(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c);
    std::optional<double> initial_value(const ast::Expr& e, NodeId id, int depth) const;
    NodeId vector_lookup(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c);
    static std::string reference_key(const ast::Expr& e, NodeId id);
    NodeId macro_call(const Macro& mac, const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c);

    // --- vector functions (expand_vectors.cpp)
    NodeId vector_select(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c);
    std::optional<std::pair<std::string, std::size_t>> sorted_range(const ast::Expr& src, NodeId id, Ctx& c, ast::Span sp,
                                                                     const std::string& fname);
    NodeId vector_order(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c);
    NodeId invert_matrix(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c);
    NodeId allocate_available(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c);
};

}  // namespace sim::vensim::detail
