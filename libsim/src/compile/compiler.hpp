// The compiler's working state (private to compile/): ModelSpec -> Program
// in named phases, each a member function with its invariant stated where
// it is defined:
//   dims.cpp      the table of dimensions               (Dims)
//   declare.cpp   declare, build_tables, link_stocks   (names -> variables)
//   shape.cpp     the elements of arrayed variables     (part of declare)
//   resolve.cpp   resolve_equations                    (trees -> RNodes)
//   subscript.cpp references by element, dimension, mapping; array contexts
//   lower.cpp     builtin lowering; SMTH*/DELAY*/TREND as hidden stocks
//   order.cpp     order                                (dependency orders, loops)
//   emit.cpp      mark_literals, layout, emit, publish (slots and tapes)
//   compile.cpp   the driver Compiler::compile and Program::compile
// Every error is collected; a broken equation marks its variable and the
// rest of the model is still checked.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compile/dims.hpp"
#include "compile/program.hpp"
#include "lang/builtins.hpp"
#include "sim/expr.hpp"

namespace sim::detail {

enum class Role : std::uint8_t { stock, aux, constant, lookup, state };

// A resolved expression node: names are variable indices from here on.
struct RNode {
    enum Kind : std::uint8_t { num, var, slot, op, table, vec } kind = num;
    Code code = Code::copy;
    double value = 0;
    std::uint32_t ref = 0;  // var index (var), raw slot (slot), table index (table), vector op (vec)
    int a = -1, b = -1, c = -1;
};

// A variable being compiled: an element of a user variable (a scalar one
// has one element; elements in spec order, so for a model without arrays
// compiler variable i is spec variable i), or a hidden one made by a
// stateful builtin (after the user ones).
struct CVar {
    std::string name, canonical;  // an element of an array: "x[a,b]"
    Role role = Role::aux;
    VarKind kind = VarKind::aux;
    bool hidden = false;
    int owner = -1;  // the user element responsible (for diagnostics)
    int user = -1;   // user elements: the spec variable
    std::uint32_t flat = 0;  // elements: the flat index in the variable's dimensions
    int definition = -1;     // elements: the ArrayDefinition defining it, -1 for the variable's own equation
    int net_flow = -1;       // stocks with a net rate: the hidden flow holding it
    SourceLoc loc;
    int init = -1, run = -1;  // RNode roots
    bool nonneg = false;
    int table = -1;
    std::vector<int> inflows, outflows;
    bool broken = false;
    bool literal = false;
    double value = 0;
    Slot slot = 0;
};

// A user variable (spec variable i is uvars_[i]) and its elements.
struct UVar {
    int first = 0;               // its element CVars are [first, first + count)
    int count = 0;
    std::vector<int> dims;       // dimension ids; empty for a scalar
    std::vector<int> sizes;      // their sizes
    std::size_t flat_size = 1;   // product of sizes
    std::vector<int> offset_of;  // flat index -> element offset (-1: not defined); empty when every flat index is an element
    std::vector<int> value_of;   // element offset -> index into its definition's values (-1: none); empty if no values
    bool broken = false;

    int element(std::size_t flat) const {
        if (offset_of.empty()) return flat < flat_size ? static_cast<int>(flat) : -1;
        return flat < offset_of.size() ? offset_of[flat] : -1;
    }
};

// A vector function being compiled (compile/vector_ops.hpp): its inputs
// are variables (user or hidden), slots once laid out.
struct CVec {
    VectorOp::Kind kind = VectorOp::sort_order;
    std::vector<int> a, b;
    int p0 = -1, p1 = -1;
    std::uint32_t k = 0;
};

// An array context: the element each iterated dimension stands for
// (innermost last): the equation's own dimensions, then those an array
// function iterates.
struct Bind {
    int dim;
    int elem;
};

class Compiler {
public:
    // `vars`: the model's variables, lever variables included (Program::compile).
    Compiler(std::span<const Variable* const> vars, const std::vector<Dimension>& dims, Diagnostics& diags)
        : uvars_(vars), dimension_specs_(dims), diags_(diags) {}

    // nullptr if any error was reported. `levers`: the names of the model's
    // policy levers (their variables are among `vars`), for Program::lever_gates.
    std::shared_ptr<Program> compile(std::span<const std::string> levers = {});

private:
    std::span<const Variable* const> uvars_;
    const std::vector<Dimension>& dimension_specs_;
    Diagnostics& diags_;
    std::vector<CVar> vars_;
    std::vector<UVar> uv_;
    Dims dims_;
    std::vector<RNode> nodes_;
    std::vector<Table> tables_;
    std::vector<CVec> vecs_;
    std::unordered_set<std::string> reported_;  // array errors already reported (error_at)
    std::unordered_map<std::string, int> by_name_;  // canonical name -> user variable (spec index)
    std::vector<std::string> user_names_;  // canonical names of the user variables, for suggestions
    struct DelayRef { int out, input, delay_time; };
    struct PrevRef { int out, input; };
    std::vector<DelayRef> delays_;
    std::vector<PrevRef> previous_;
    // Delay and smoothing times, checked once constants are known.
    struct TimeArg { int expr; SourceLoc loc; int var; std::string fname; };
    std::vector<TimeArg> time_args_;

    Slot next_slot_ = 0;  // layout and emission: the first unassigned slot

    // Resolution context: the element being resolved and its equation.
    int cur_ = -1;
    const Equation* eq_ = nullptr;
    bool failed_ = false;
    std::vector<Bind> binds_;
    int in_array_fn_ = 0;  // > 0 inside the argument of an array function

    // --- phases (in the order compile() runs them)
    void declare_dimensions(const std::vector<Dimension>& dims);
    void declare();
    void build_tables();
    void resolve_equations();
    void link_stocks();
    void mark_literals();
    void check_time_args();  // after mark_literals: no negative constant delay or smoothing time
    std::vector<int> order(bool initial);
    void layout(Program& prog);
    void emit(Program& prog, const std::vector<int>& init_order, const std::vector<int>& run_order);
    void emit_stocks(Program& prog);
    void publish(Program& prog);
    void find_lever_gates(Program& prog, std::span<const std::string> levers) const;

    // --- arrays (shape.cpp)
    // The dimensions of user variable u and which definition defines each
    // element; false (reported) if they cannot be determined.
    bool shape(int u, std::vector<int>& def_of, std::vector<int>& val_of);
    std::vector<int> tuple(const UVar& u, std::size_t flat) const;  // element ids
    std::string element_name(const Variable& v, const UVar& u, std::size_t flat) const;
    // The element positions a pattern entry selects in dimension d, or
    // nullopt (reported at `loc` for variable `var`).
    std::optional<std::vector<int>> select(const std::string& entry, int d, const SourceLoc& loc, const std::string& var);
    // The equation's bindings for element `c` of user variable `u`.
    void bind_element(int c);
    // The elements an unsubscripted or `*` reference at position k of u stands for, etc. (subscript.cpp)
    int find_binding(int dim) const;  // element, or -1
    int bound_element(int dim, int target, bool& mapped) const;
    int reference(const ast::Node& n, const ast::Name& x, int u, bool as_table);
    int subscript_element(ast::NodeId s, int u, std::size_t k);
    std::string dims_text(const UVar& u) const;

    // --- diagnostics
    void error(sim::Code code, SourceLoc loc, int var, std::string msg);
    // Where element c's diagnostics point: its equation, else its declaration.
    SourceLoc eq_loc(int c) const;
    // An error at `offset` in the equation being resolved; marks it failed.
    void error_at(sim::Code code, std::uint32_t offset, std::string msg);
    std::string suggestion(const std::string& canonical) const;

    // --- resolved nodes
    int push(RNode n) {
        nodes_.push_back(n);
        return static_cast<int>(nodes_.size()) - 1;
    }
    int num(double v) { return push({RNode::num, Code::copy, v, 0, -1, -1, -1}); }
    int ref(int v) { return push({RNode::var, Code::copy, 0, static_cast<std::uint32_t>(v), -1, -1, -1}); }
    int raw_slot(Slot s) { return push({RNode::slot, Code::copy, 0, s, -1, -1, -1}); }
    int op(Code code, int a, int b = -1, int c = -1);  // folds constant operands
    int table_call(int table, int arg) {
        return push({RNode::table, Code::lookup, 0, static_cast<std::uint32_t>(table), arg, -1, -1});
    }
    int vec_call(CVec v) {
        vecs_.push_back(std::move(v));
        return push({RNode::vec, Code::vector, 0, static_cast<std::uint32_t>(vecs_.size() - 1), -1, -1, -1});
    }
    const RNode& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
    CVar& var(int i) { return vars_[static_cast<std::size_t>(i)]; }

    // --- hidden variables (lower.cpp)
    int add_hidden(Role role, VarKind kind, const char* what);
    int hidden_aux(const char* what, int expr);
    int as_var(int expr, const char* what);  // a variable holding `expr` (itself for a plain reference)
    // A reference to PREVIOUS(expr): its value at the step before, `init`
    // (-1: expr's own initial value) at the start.
    int previous_of(int expr, int init);

    // --- resolution (resolve.cpp, lower.cpp)
    int resolve_equation(int v, const Equation& eq);
    int resolve(ast::NodeId id);
    int resolve_name(const ast::Node& n, const ast::Name& name, ast::NodeId id);
    int resolve_call(const ast::Node& n, const ast::Call& call);
    int builtin(const ast::Node& n, const ast::BuiltinInfo& info, std::vector<int>& args);
    int const_count(int expr, const ast::Node& n, std::string_view fname);
    // --- array functions (arrays.cpp)
    int array_function(const ast::Node& n, const ast::Call& call, const ast::BuiltinInfo& b);
    // `arg` resolved once per combination of the dimensions it iterates.
    bool iterate(ast::NodeId arg, std::vector<int>& out);
    void iterated_dims(ast::NodeId id, std::vector<int>& dims) const;
    // `arg` as a vector along the dimension of its first array reference's
    // last subscript: one node per element; `base` is the position the
    // subscript names when it names one (else 0).
    bool vector_arg(ast::NodeId arg, std::vector<int>& out, int& dim, std::uint32_t& base);
    int fold(Code c, const std::vector<int>& xs, std::size_t begin, std::size_t end);
    // The position of the element being computed in its last dimension.
    int output_position(const ast::Node& n, const char* fname);
    bool check_arity(const ast::Node& n, const ast::BuiltinInfo& b, int count);
    std::size_t user_count_ = 0;  // user elements: vars_[0, user_count_)
    int add_table(const GraphicalFunction& gf, int v);

    // --- ordering (order.cpp)
    void collect_refs(int expr, std::vector<int>& out) const;
};

// Where a variable's diagnostics point: its equation, else its declaration.
inline SourceLoc var_loc(const Variable& v) { return v.equation.loc.line > 0 ? v.equation.loc : v.loc; }

// "an aux", "a flow", ...
std::string article(VarKind k);

}  // namespace sim::detail
