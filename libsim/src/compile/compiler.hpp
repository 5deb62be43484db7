// The compiler's working state (private to compile/): ModelSpec -> Program
// in named phases, each a member function with its invariant stated where
// it is defined:
//   declare.cpp   declare, build_tables, link_stocks   (names -> variables)
//   resolve.cpp   resolve_equations                    (trees -> RNodes)
//   lower.cpp     builtin lowering; SMTH*/DELAY*/TREND as hidden stocks
//   order.cpp     order                                (dependency orders, loops)
//   emit.cpp      mark_literals, layout, emit, publish (slots and tapes)
//   compile.cpp   the driver Compiler::compile and Program::compile
// Every error is collected; a broken equation marks its variable and the
// rest of the model is still checked.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "compile/program.hpp"
#include "lang/builtins.hpp"
#include "sim/expr.hpp"

namespace sim::detail {

enum class Role : std::uint8_t { stock, aux, constant, lookup, state };

// A resolved expression node: names are variable indices from here on.
struct RNode {
    enum Kind : std::uint8_t { num, var, slot, op, table } kind = num;
    Code code = Code::copy;
    double value = 0;
    std::uint32_t ref = 0;  // var index (var), raw slot (slot), table index (table)
    int a = -1, b = -1, c = -1;
};

// A variable being compiled: a user variable (index = its position in the
// spec) or a hidden one made by a stateful builtin (after the user ones).
struct CVar {
    std::string name, canonical;
    Role role = Role::aux;
    VarKind kind = VarKind::aux;
    bool hidden = false;
    int owner = -1;  // the user variable responsible (for diagnostics)
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

class Compiler {
public:
    // `vars`: the model's variables, lever variables included (Program::compile).
    Compiler(std::span<const Variable* const> vars, Diagnostics& diags) : uvars_(vars), diags_(diags) {}

    // nullptr if any error was reported.
    std::shared_ptr<Program> compile();

private:
    std::span<const Variable* const> uvars_;
    Diagnostics& diags_;
    std::vector<CVar> vars_;
    std::vector<RNode> nodes_;
    std::vector<Table> tables_;
    std::unordered_map<std::string, int> by_name_;
    std::vector<std::string> user_names_;  // canonical names of the user variables, for suggestions
    struct DelayRef { int out, input, delay_time; };
    struct PrevRef { int out, input; };
    std::vector<DelayRef> delays_;
    std::vector<PrevRef> previous_;
    // Delay and smoothing times, checked once constants are known.
    struct TimeArg { int expr; SourceLoc loc; int var; std::string fname; };
    std::vector<TimeArg> time_args_;

    Slot next_slot_ = 0;  // layout and emission: the first unassigned slot

    // Resolution context: the equation being resolved.
    int cur_ = -1;
    const Equation* eq_ = nullptr;
    bool failed_ = false;

    // --- phases (in the order compile() runs them)
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

    // --- diagnostics
    void error(sim::Code code, SourceLoc loc, int var, std::string msg);
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
    const RNode& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
    CVar& var(int i) { return vars_[static_cast<std::size_t>(i)]; }

    // --- hidden variables (lower.cpp)
    int add_hidden(Role role, VarKind kind, const char* what);
    int hidden_aux(const char* what, int expr);
    int as_var(int expr, const char* what);  // a variable holding `expr` (itself for a plain reference)

    // --- resolution (resolve.cpp, lower.cpp)
    int resolve_equation(int v, const Equation& eq);
    int resolve(ast::NodeId id);
    int resolve_name(const ast::Node& n, const ast::Name& name, ast::NodeId id);
    int resolve_call(const ast::Node& n, const ast::Call& call);
    int builtin(const ast::Node& n, const ast::BuiltinInfo& info, std::vector<int>& args);
    int const_count(int expr, const ast::Node& n, std::string_view fname);
    int add_table(const GraphicalFunction& gf, int v);

    // --- ordering (order.cpp)
    void collect_refs(int expr, std::vector<int>& out) const;
};

// Where a variable's diagnostics point: its equation, else its declaration.
inline SourceLoc var_loc(const Variable& v) { return v.equation.loc.line > 0 ? v.equation.loc : v.loc; }

// "an aux", "a flow", ...
std::string article(VarKind k);

}  // namespace sim::detail
