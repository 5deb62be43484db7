// Compiler: ModelSpec -> Program.
//   1. levers expanded into variables (levers.cpp);
//   2. every equation parsed once; names resolved to variables exactly once;
//      builtins checked; SMTH*/DELAY*/TREND expanded into hidden stocks;
//   3. two dependency orders (initial values; flows/auxiliaries), with
//      algebraic loops reported as E-CYCLE naming every member;
//   4. emission of register instructions over slot indices.
// Every error is collected; a broken equation marks its variable and the rest
// of the model is still checked.
#include <cmath>
#include <limits>
#include <map>
#include <cstring>
#include <numbers>
#include <optional>

#include "lang/ast.hpp"
#include "compile/program.hpp"

namespace sim::detail {
namespace {

enum class Role : std::uint8_t { stock, aux, constant, lookup, state };

// A resolved expression node (names are variable indices from here on).
struct RNode {
    enum Kind : std::uint8_t { num, var, slot, op, table } kind = num;
    Code code = Code::copy;
    double value = 0;
    std::uint32_t ref = 0;  // var index (var), raw slot (slot), table index (table)
    int a = -1, b = -1, c = -1;
};

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

enum class B {
    abs, min, max, exp, ln, log10, sqrt, sin, cos, tan, asin, acos, atan, int_, mod, pi,
    safediv, xidz, zidz, step, ramp, pulse, init, previous, time, dt, starttime, stoptime,
    smth1, smth3, smthn, delay1, delay3, delayn, delay, trend, if_then_else
};

struct BuiltinInfo {
    B id;
    int min_args, max_args;
    const char* name;
    const char* params;
};

const std::map<std::string, BuiltinInfo, std::less<>>& builtins() {
    static const std::map<std::string, BuiltinInfo, std::less<>> m = {
        {"abs", {B::abs, 1, 1, "ABS", "x"}},
        {"min", {B::min, 2, 2, "MIN", "a, b"}},
        {"max", {B::max, 2, 2, "MAX", "a, b"}},
        {"exp", {B::exp, 1, 1, "EXP", "x"}},
        {"ln", {B::ln, 1, 1, "LN", "x"}},
        {"log10", {B::log10, 1, 1, "LOG10", "x"}},
        {"sqrt", {B::sqrt, 1, 1, "SQRT", "x"}},
        {"sin", {B::sin, 1, 1, "SIN", "x"}},
        {"cos", {B::cos, 1, 1, "COS", "x"}},
        {"tan", {B::tan, 1, 1, "TAN", "x"}},
        {"arcsin", {B::asin, 1, 1, "ARCSIN", "x"}},
        {"arccos", {B::acos, 1, 1, "ARCCOS", "x"}},
        {"arctan", {B::atan, 1, 1, "ARCTAN", "x"}},
        {"int", {B::int_, 1, 1, "INT", "x"}},
        {"mod", {B::mod, 2, 2, "MOD", "a, b"}},
        {"pi", {B::pi, 0, 0, "PI", ""}},
        {"safediv", {B::safediv, 2, 3, "SAFEDIV", "a, b[, x]"}},
        {"xidz", {B::xidz, 3, 3, "XIDZ", "a, b, x"}},
        {"zidz", {B::zidz, 2, 2, "ZIDZ", "a, b"}},
        {"step", {B::step, 2, 2, "STEP", "height, start"}},
        {"ramp", {B::ramp, 2, 3, "RAMP", "slope, start[, end]"}},
        {"pulse", {B::pulse, 2, 3, "PULSE", "magnitude, first_time[, interval]"}},
        {"init", {B::init, 1, 1, "INIT", "x"}},
        {"initial", {B::init, 1, 1, "INITIAL", "x"}},
        {"previous", {B::previous, 1, 2, "PREVIOUS", "x[, initial]"}},
        {"time", {B::time, 0, 0, "TIME", ""}},
        {"dt", {B::dt, 0, 0, "DT", ""}},
        {"starttime", {B::starttime, 0, 0, "STARTTIME", ""}},
        {"stoptime", {B::stoptime, 0, 0, "STOPTIME", ""}},
        {"smth1", {B::smth1, 2, 3, "SMTH1", "input, averaging_time[, initial]"}},
        {"smooth", {B::smth1, 2, 2, "SMOOTH", "input, averaging_time"}},
        {"smoothi", {B::smth1, 3, 3, "SMOOTHI", "input, averaging_time, initial"}},
        {"smth3", {B::smth3, 2, 3, "SMTH3", "input, averaging_time[, initial]"}},
        {"smooth3", {B::smth3, 2, 2, "SMOOTH3", "input, averaging_time"}},
        {"smooth3i", {B::smth3, 3, 3, "SMOOTH3I", "input, averaging_time, initial"}},
        {"smthn", {B::smthn, 3, 4, "SMTHN", "input, averaging_time, n[, initial]"}},
        {"delay1", {B::delay1, 2, 3, "DELAY1", "input, delay_time[, initial]"}},
        {"delay1i", {B::delay1, 3, 3, "DELAY1I", "input, delay_time, initial"}},
        {"delay3", {B::delay3, 2, 3, "DELAY3", "input, delay_time[, initial]"}},
        {"delay3i", {B::delay3, 3, 3, "DELAY3I", "input, delay_time, initial"}},
        {"delayn", {B::delayn, 3, 4, "DELAYN", "input, delay_time, n[, initial]"}},
        {"delay", {B::delay, 2, 3, "DELAY", "input, delay_time[, initial]"}},
        {"delay_fixed", {B::delay, 3, 3, "DELAY FIXED", "input, delay_time, initial"}},
        {"trend", {B::trend, 2, 3, "TREND", "input, averaging_time[, initial_trend]"}},
        {"if_then_else", {B::if_then_else, 3, 3, "IF THEN ELSE", "condition, then, else"}},
    };
    return m;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
            diag = up;
        }
    }
    return row[b.size()];
}

SourceLoc var_loc(const Variable& v) { return v.equation.loc.line > 0 ? v.equation.loc : v.loc; }

std::string article(VarKind k) {
    return (k == VarKind::aux ? "an " : "a ") + std::string(to_string(k));
}

std::string plural(int n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

class Compiler {
public:
    Compiler(const ModelSpec& spec, Diagnostics& diags) : spec_(spec), diags_(diags) {}

    std::shared_ptr<Program> compile();

private:
    const ModelSpec& spec_;
    Diagnostics& diags_;
    std::vector<CVar> vars_;
    std::vector<RNode> nodes_;
    std::vector<Table> tables_;
    std::unordered_map<std::string, int> by_name_;
    struct DelayRef { int out, input, delay_time; };
    struct PrevRef { int out, input; };
    std::vector<DelayRef> delays_;
    std::vector<PrevRef> previous_;

    // Resolution context: the equation being resolved.
    int cur_ = -1;
    const Equation* eq_ = nullptr;
    const ast::Expr* ast_ = nullptr;
    bool failed_ = false;

    void error(sim::Code code, SourceLoc loc, int var, std::string msg) {
        std::string name = var >= 0 ? vars_[static_cast<std::size_t>(var)].name : std::string();
        diags_.error(code, std::move(loc), std::move(name), std::move(msg));
    }
    void error_at(sim::Code code, std::uint32_t offset, std::string msg) {
        error(code, eq_->at(offset), cur_, std::move(msg));
        failed_ = true;
    }

    // --- nodes
    int push(RNode n) {
        nodes_.push_back(n);
        return static_cast<int>(nodes_.size()) - 1;
    }
    int num(double v) { return push({RNode::num, Code::copy, v, 0, -1, -1, -1}); }
    int ref(int v) { return push({RNode::var, Code::copy, 0, static_cast<std::uint32_t>(v), -1, -1, -1}); }
    int raw_slot(Slot s) { return push({RNode::slot, Code::copy, 0, s, -1, -1, -1}); }
    int op(Code code, int a, int b = -1, int c = -1) {
        bool foldable = code != Code::step && code != Code::ramp && code != Code::pulse;
        auto is_num = [&](int i) { return i < 0 || nodes_[static_cast<std::size_t>(i)].kind == RNode::num; };
        if (foldable && is_num(a) && is_num(b) && is_num(c)) {
            auto val = [&](int i) { return i < 0 ? 0.0 : nodes_[static_cast<std::size_t>(i)].value; };
            return num(apply(code, val(a), val(b), val(c), 0.0, 0.0));
        }
        return push({RNode::op, code, 0, 0, a, b, c});
    }
    int table_call(int table, int arg) {
        return push({RNode::table, Code::lookup, 0, static_cast<std::uint32_t>(table), arg, -1, -1});
    }
    const RNode& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
    CVar& var(int i) { return vars_[static_cast<std::size_t>(i)]; }

    int add_hidden(Role role, VarKind kind, const char* what) {
        CVar v;
        // Built by appending: g++ 12 warns (-Wrestrict, a false positive) on "#" + std::string.
        v.name.assign(1, '#').append(what).append(1, '#').append(std::to_string(vars_.size()));
        v.canonical = v.name;
        v.role = role;
        v.kind = kind;
        v.hidden = true;
        v.owner = cur_;
        v.loc = var(cur_).loc;
        vars_.push_back(std::move(v));
        return static_cast<int>(vars_.size()) - 1;
    }
    int hidden_aux(const char* what, int expr) {
        int v = add_hidden(Role::aux, VarKind::aux, what);
        var(v).run = expr;
        var(v).init = expr;
        return v;
    }
    // A variable holding `expr` (the variable itself for a plain reference).
    int as_var(int expr, const char* what) {
        if (node(expr).kind == RNode::var) return static_cast<int>(node(expr).ref);
        return hidden_aux(what, expr);
    }

    // --- resolution
    int resolve_equation(int v, const Equation& eq);
    int resolve(ast::NodeId id);
    int resolve_call(const ast::Node& n, const ast::Call& call);
    int builtin(const ast::Node& n, const BuiltinInfo& info, std::vector<int>& args);
    int const_count(int expr, const ast::Node& n, const char* fname);
    int add_table(const GraphicalFunction& gf, int v);
    std::string suggestion(const std::string& canonical) const;

    // --- ordering and emission
    void collect_refs(int expr, std::vector<int>& out) const;
    std::vector<int> order(bool initial);
};

std::string Compiler::suggestion(const std::string& canonical) const {
    std::size_t best = std::string::npos;
    const CVar* found = nullptr;
    for (const auto& v : vars_) {
        if (v.hidden) continue;
        std::size_t d = edit_distance(canonical, v.canonical);
        std::size_t limit = std::max<std::size_t>(2, canonical.size() / 3);
        if (d <= limit && d < best) {
            best = d;
            found = &v;
        }
    }
    if (!found) return {};
    return "; did you mean '" + found->name + "'?";
}

int Compiler::add_table(const GraphicalFunction& gf, int v) {
    const auto& cv = var(v);
    SourceLoc loc = gf.loc.line > 0 ? gf.loc : cv.loc;
    if (gf.x.empty() || gf.x.size() != gf.y.size()) {
        error(sim::Code::E_LOOKUP_TABLE, loc, v,
              "graphical function needs as many x as y points and at least one (" +
                  std::to_string(gf.x.size()) + " x, " + std::to_string(gf.y.size()) + " y)");
        return -1;
    }
    for (std::size_t i = 1; i < gf.x.size(); ++i) {
        if (!(gf.x[i] > gf.x[i - 1])) {
            error(sim::Code::E_LOOKUP_TABLE, loc, v,
                  "graphical function x points must be strictly increasing (point " + std::to_string(i + 1) +
                      " is not greater than point " + std::to_string(i) + ")");
            return -1;
        }
    }
    tables_.push_back({gf.kind, gf.x, gf.y});
    return static_cast<int>(tables_.size()) - 1;
}

int Compiler::resolve_equation(int v, const Equation& eq) {
    cur_ = v;
    eq_ = &eq;
    failed_ = false;
    if (eq.empty()) {
        error(sim::Code::E_EMPTY_EQUATION, var_loc(spec_.variables[static_cast<std::size_t>(v)]), v,
              "the equation is empty; write an expression (a number for a constant)");
        return -1;
    }
    std::vector<ast::ParseError> errs;
    auto expr = ast::parse(eq.text, errs);
    if (!expr) {
        for (const auto& e : errs) error(sim::Code::E_PARSE, eq.at(e.offset), v, e.message);
        if (errs.empty()) error(sim::Code::E_PARSE, eq.loc, v, "cannot parse the equation");
        return -1;
    }
    ast_ = &*expr;
    int r = resolve(expr->root);
    ast_ = nullptr;
    return failed_ ? -1 : r;
}

int Compiler::resolve(ast::NodeId id) {
    const ast::Node& n = (*ast_)[id];
    return std::visit(
        [&](const auto& x) -> int {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ast::Number>) {
                return num(x.value);
            } else if constexpr (std::is_same_v<T, ast::Name>) {
                auto it = by_name_.find(x.canonical);
                if (it != by_name_.end()) {
                    const CVar& target = var(it->second);
                    if (target.role == Role::lookup) {
                        error_at(sim::Code::E_LOOKUP_AS_VALUE, n.begin,
                                 "'" + x.text + "' is a graphical function; call it with an input, e.g. " + x.text +
                                     "(TIME)");
                        return -1;
                    }
                    return ref(it->second);
                }
                auto b = builtins().find(x.canonical);
                if (b != builtins().end() && b->second.min_args == 0) {
                    std::vector<int> none;
                    return builtin(n, b->second, none);
                }
                error_at(sim::Code::E_UNKNOWN_NAME, n.begin,
                         "unknown name '" + x.text + "'" + suggestion(x.canonical) +
                             (suggestion(x.canonical).empty() ? "; define it or check its spelling" : ""));
                return -1;
            } else if constexpr (std::is_same_v<T, ast::Unary>) {
                int a = resolve(x.arg);
                if (a < 0) return -1;
                switch (x.op) {
                    case ast::Op::neg: return op(Code::neg, a);
                    case ast::Op::not_: return op(Code::not_, a);
                    default: return a;
                }
            } else if constexpr (std::is_same_v<T, ast::Binary>) {
                int a = resolve(x.lhs);
                int b = resolve(x.rhs);
                if (a < 0 || b < 0) return -1;
                Code c = Code::add;
                switch (x.op) {
                    case ast::Op::add: c = Code::add; break;
                    case ast::Op::sub: c = Code::sub; break;
                    case ast::Op::mul: c = Code::mul; break;
                    case ast::Op::div: c = Code::div; break;
                    case ast::Op::pow: c = Code::pow; break;
                    case ast::Op::mod: c = Code::mod; break;
                    case ast::Op::eq: c = Code::eq; break;
                    case ast::Op::ne: c = Code::ne; break;
                    case ast::Op::lt: c = Code::lt; break;
                    case ast::Op::le: c = Code::le; break;
                    case ast::Op::gt: c = Code::gt; break;
                    case ast::Op::ge: c = Code::ge; break;
                    case ast::Op::and_: c = Code::and_; break;
                    case ast::Op::or_: c = Code::or_; break;
                    default: break;
                }
                return op(c, a, b);
            } else if constexpr (std::is_same_v<T, ast::If>) {
                int c = resolve(x.cond), t = resolve(x.then_), e = resolve(x.else_);
                if (c < 0 || t < 0 || e < 0) return -1;
                if (node(c).kind == RNode::num) return node(c).value != 0 ? t : e;
                return op(Code::select, c, t, e);
            } else {
                return resolve_call(n, x);
            }
        },
        n.v);
}

int Compiler::resolve_call(const ast::Node& n, const ast::Call& call) {
    std::vector<int> args;
    bool bad = false;
    for (auto a : call.args) {
        int r = resolve(a);
        if (r < 0) bad = true;
        args.push_back(r);
    }
    // A graphical function called by name (it shadows a builtin of the same
    // name; other variables do not, so a variable may be called "trend").
    auto it = by_name_.find(call.canonical);
    auto b = builtins().find(call.canonical);
    if (it != by_name_.end() && (var(it->second).table >= 0 || b == builtins().end())) {
        const CVar& target = var(it->second);
        if (target.table < 0) {
            error_at(sim::Code::E_NOT_CALLABLE, n.begin,
                     "'" + call.text + "' is " + article(target.kind) +
                         ", not a graphical function; only variables with a graphical function can be called");
            return -1;
        }
        if (args.size() != 1) {
            error_at(sim::Code::E_ARG_COUNT, n.begin,
                     "graphical function '" + call.text + "' takes 1 argument, but " +
                         std::to_string(args.size()) + " were given");
            return -1;
        }
        if (bad) return -1;
        return table_call(target.table, args[0]);
    }
    if (b == builtins().end()) {
        error_at(sim::Code::E_UNKNOWN_FUNCTION, n.begin,
                 "unknown function '" + call.text + "'" + suggestion(call.canonical) +
                     (suggestion(call.canonical).empty() ? "; check the spelling or define a graphical function" : ""));
        return -1;
    }
    const BuiltinInfo& info = b->second;
    int count = static_cast<int>(args.size());
    if (count < info.min_args || count > info.max_args) {
        std::string expected = info.min_args == info.max_args
                                   ? plural(info.min_args, "argument")
                                   : std::to_string(info.min_args) + " to " + plural(info.max_args, "argument");
        error_at(sim::Code::E_ARG_COUNT, n.begin,
                 std::string(info.name) + " takes " + expected + " (" + info.params + "), but " +
                     std::to_string(count) + (count == 1 ? " was" : " were") + " given");
        return -1;
    }
    if (bad) return -1;
    return builtin(n, info, args);
}

// The stage count n of SMTHN/DELAYN must be known when compiling.
int Compiler::const_count(int expr, const ast::Node& n, const char* fname) {
    const RNode& r = node(expr);
    if (r.kind != RNode::num || !(r.value >= 1) || r.value > 1000 || r.value != std::floor(r.value)) {
        error_at(sim::Code::E_CONST_ARG, n.begin,
                 std::string(fname) + ": the number of stages must be a whole number from 1 to 1000 written in the equation");
        return -1;
    }
    return static_cast<int>(r.value);
}

int Compiler::builtin(const ast::Node& n, const BuiltinInfo& info, std::vector<int>& args) {
    auto arg = [&](std::size_t i, int fallback) { return i < args.size() ? args[i] : fallback; };
    switch (info.id) {
        case B::abs: return op(Code::abs, args[0]);
        case B::min: return op(Code::min, args[0], args[1]);
        case B::max: return op(Code::max, args[0], args[1]);
        case B::exp: return op(Code::exp, args[0]);
        case B::ln: return op(Code::ln, args[0]);
        case B::log10: return op(Code::log10, args[0]);
        case B::sqrt: return op(Code::sqrt, args[0]);
        case B::sin: return op(Code::sin, args[0]);
        case B::cos: return op(Code::cos, args[0]);
        case B::tan: return op(Code::tan, args[0]);
        case B::asin: return op(Code::asin, args[0]);
        case B::acos: return op(Code::acos, args[0]);
        case B::atan: return op(Code::atan, args[0]);
        case B::int_: return op(Code::floor, args[0]);
        case B::mod: return op(Code::mod, args[0], args[1]);
        case B::pi: return num(std::numbers::pi);
        case B::safediv: return op(Code::safediv, args[0], args[1], arg(2, num(0)));
        case B::xidz: return op(Code::safediv, args[0], args[1], args[2]);
        case B::zidz: return op(Code::safediv, args[0], args[1], num(0));
        case B::step: return op(Code::step, args[0], args[1]);
        case B::ramp:
            return op(Code::ramp, args[0], args[1], arg(2, num(std::numeric_limits<double>::infinity())));
        case B::pulse: return op(Code::pulse, args[0], args[1], arg(2, num(0)));
        case B::if_then_else:
            if (node(args[0]).kind == RNode::num) return node(args[0]).value != 0 ? args[1] : args[2];
            return op(Code::select, args[0], args[1], args[2]);
        case B::time: return raw_slot(slot_time);
        case B::dt: return raw_slot(slot_dt);
        case B::starttime: return raw_slot(slot_start);
        case B::stoptime: return raw_slot(slot_stop);
        case B::init: {
            // A state variable fixed at x's initial value.
            int out = add_hidden(Role::state, VarKind::aux, "init");
            var(out).init = args[0];
            return ref(out);
        }
        case B::previous: {
            int in = as_var(args[0], "previous_in");
            int out = add_hidden(Role::state, VarKind::aux, "previous");
            var(out).init = arg(1, ref(in));
            previous_.push_back({out, in});
            return ref(out);
        }
        case B::delay: {
            int in = as_var(args[0], "delay_in");
            int d = as_var(args[1], "delay_time");
            int out = add_hidden(Role::state, VarKind::aux, "delay");
            var(out).init = arg(2, ref(in));
            delays_.push_back({out, in, d});
            return ref(out);
        }
        case B::smth1:
        case B::smth3:
        case B::smthn: {
            int stages = info.id == B::smth1 ? 1 : info.id == B::smth3 ? 3 : const_count(args[2], n, info.name);
            if (stages < 0) return -1;
            int initial = info.id == B::smthn ? arg(3, args[0]) : arg(2, args[0]);
            int stage_time = op(Code::div, args[1], num(stages));
            int prev = args[0];
            for (int i = 0; i < stages; ++i) {
                int s = add_hidden(Role::stock, VarKind::stock, "smooth");
                int f = add_hidden(Role::aux, VarKind::flow, "smooth_flow");
                var(f).run = var(f).init = op(Code::div, op(Code::sub, prev, ref(s)), stage_time);
                var(s).init = initial;
                var(s).inflows = {f};
                prev = ref(s);
            }
            return prev;
        }
        case B::delay1:
        case B::delay3:
        case B::delayn: {
            int stages = info.id == B::delay1 ? 1 : info.id == B::delay3 ? 3 : const_count(args[2], n, info.name);
            if (stages < 0) return -1;
            int initial = info.id == B::delayn ? arg(3, args[0]) : arg(2, args[0]);
            int stage_time = op(Code::div, args[1], num(stages));
            int in = add_hidden(Role::aux, VarKind::flow, "delay_inflow");
            var(in).run = var(in).init = args[0];
            for (int i = 0; i < stages; ++i) {
                int s = add_hidden(Role::stock, VarKind::stock, "delay_stage");
                int out = add_hidden(Role::aux, VarKind::flow, "delay_outflow");
                var(out).run = var(out).init = op(Code::div, ref(s), stage_time);
                var(s).init = op(Code::mul, initial, stage_time);  // each stage holds initial * D/n
                var(s).inflows = {in};
                var(s).outflows = {out};
                in = out;
            }
            return ref(in);
        }
        case B::trend: {
            int input = args[0], avg = args[1], it = arg(2, num(0));
            int s = add_hidden(Role::stock, VarKind::stock, "trend");
            int f = add_hidden(Role::aux, VarKind::flow, "trend_flow");
            var(f).run = var(f).init = op(Code::div, op(Code::sub, input, ref(s)), avg);
            var(s).init = op(Code::div, input, op(Code::add, num(1), op(Code::mul, it, avg)));
            var(s).inflows = {f};
            return op(Code::div, op(Code::sub, input, ref(s)), op(Code::mul, avg, ref(s)));
        }
    }
    return -1;
}

void Compiler::collect_refs(int expr, std::vector<int>& out) const {
    if (expr < 0) return;
    const RNode& r = node(expr);
    if (r.kind == RNode::var) out.push_back(static_cast<int>(r.ref));
    collect_refs(r.a, out);
    collect_refs(r.b, out);
    collect_refs(r.c, out);
}

// Dependency order (dependencies first) of the variables computed by one tape;
// reports every algebraic loop (strongly connected component) as E-CYCLE.
std::vector<int> Compiler::order(bool initial) {
    const int n = static_cast<int>(vars_.size());
    auto in_graph = [&](int v) {
        const CVar& c = vars_[static_cast<std::size_t>(v)];
        if (c.broken || c.literal) return false;
        return initial ? c.init >= 0 : (c.role == Role::aux && c.run >= 0);
    };
    std::vector<std::vector<int>> edges(static_cast<std::size_t>(n));
    std::vector<bool> self_loop(static_cast<std::size_t>(n), false);
    for (int v = 0; v < n; ++v) {
        if (!in_graph(v)) continue;
        std::vector<int> refs;
        collect_refs(initial ? var(v).init : var(v).run, refs);
        for (int u : refs) {
            if (!in_graph(u)) continue;
            if (u == v) self_loop[static_cast<std::size_t>(v)] = true;
            edges[static_cast<std::size_t>(v)].push_back(u);
        }
    }
    // Tarjan's algorithm, iterative; SCCs come out dependencies first.
    std::vector<int> index(static_cast<std::size_t>(n), -1), low(static_cast<std::size_t>(n), 0), stack, result;
    std::vector<bool> on_stack(static_cast<std::size_t>(n), false);
    int counter = 0;
    struct Frame { int v; std::size_t next; };
    for (int root = 0; root < n; ++root) {
        if (!in_graph(root) || index[static_cast<std::size_t>(root)] >= 0) continue;
        std::vector<Frame> frames{{root, 0}};
        index[static_cast<std::size_t>(root)] = low[static_cast<std::size_t>(root)] = counter++;
        stack.push_back(root);
        on_stack[static_cast<std::size_t>(root)] = true;
        while (!frames.empty()) {
            Frame& f = frames.back();
            auto fv = static_cast<std::size_t>(f.v);
            if (f.next < edges[fv].size()) {
                int w = edges[fv][f.next++];
                auto uw = static_cast<std::size_t>(w);
                if (index[uw] < 0) {
                    index[uw] = low[uw] = counter++;
                    stack.push_back(w);
                    on_stack[uw] = true;
                    frames.push_back({w, 0});
                } else if (on_stack[uw]) {
                    low[fv] = std::min(low[fv], index[uw]);
                }
                continue;
            }
            if (low[fv] == index[fv]) {
                std::vector<int> scc;
                int w;
                do {
                    w = stack.back();
                    stack.pop_back();
                    on_stack[static_cast<std::size_t>(w)] = false;
                    scc.push_back(w);
                } while (w != f.v);
                if (scc.size() == 1 && !self_loop[fv]) {
                    result.push_back(f.v);
                } else {
                    // Name every user variable in the loop, in model order.
                    std::vector<int> owners;
                    for (int m : scc) owners.push_back(var(m).hidden ? var(m).owner : m);
                    std::sort(owners.begin(), owners.end());
                    owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
                    std::string names;
                    for (std::size_t i = 0; i < owners.size(); ++i) {
                        if (i) names += i + 1 == owners.size() ? " and " : ", ";
                        names += "'" + var(owners[i]).name + "'";
                    }
                    // Built by appending: g++ 12 gives false -Wrestrict warnings on "lit" + std::string.
                    const bool one = owners.size() == 1;
                    std::string msg = initial ? "circular initial values: " : "algebraic loop: ";
                    if (initial) msg.append(one ? "the initial value of " : "the initial values of ");
                    msg.append(names).append(one ? " depends on itself" : " depend on each other");
                    msg.append(initial ? "; give one of them an initial value that does not depend on the others"
                                       : " within one time step; break the loop with a stock or a DELAY/PREVIOUS");
                    int at = owners.front();
                    error(sim::Code::E_CYCLE, var_loc(spec_.variables[static_cast<std::size_t>(at)]), at, msg);
                    for (int m : scc) var(m).broken = true;
                }
            }
            int done = f.v;
            frames.pop_back();
            if (!frames.empty()) {
                auto pv = static_cast<std::size_t>(frames.back().v);
                low[pv] = std::min(low[pv], low[static_cast<std::size_t>(done)]);
            }
        }
    }
    return result;
}

std::shared_ptr<Program> Compiler::compile() {
    auto prog = std::make_shared<Program>();
    const auto& uvars = spec_.variables;

    // Declarations: user variables first (index = position in the spec).
    std::unordered_map<std::string, int> first_decl;
    for (std::size_t i = 0; i < uvars.size(); ++i) {
        const Variable& v = uvars[i];
        CVar c;
        c.name = v.name;
        c.canonical = canonical_name(v.name);
        c.kind = v.kind;
        c.role = v.kind == VarKind::stock      ? Role::stock
                 : v.kind == VarKind::constant ? Role::constant
                 : v.kind == VarKind::lookup   ? Role::lookup
                                               : Role::aux;
        c.owner = static_cast<int>(i);
        c.loc = v.loc.line > 0 ? v.loc : v.equation.loc;
        c.nonneg = v.non_negative;
        vars_.push_back(c);
        if (c.canonical.empty()) {
            error(sim::Code::E_BAD_NAME, c.loc, static_cast<int>(i), "a variable has an empty name; give it a name");
            var(static_cast<int>(i)).broken = true;
            continue;
        }
        if (c.canonical == "time" || c.canonical == "dt" || c.canonical == "starttime" || c.canonical == "stoptime") {
            // The run's clock: a variable of that name would silently shadow it.
            error(sim::Code::E_RESERVED_NAME, c.loc, static_cast<int>(i),
                  "'" + v.name + "' is reserved for the simulation's " +
                      (c.canonical == "time" ? std::string("current time (TIME)") : "time specs (" + v.name + ")") +
                      "; rename the variable");
            var(static_cast<int>(i)).broken = true;
            continue;
        }
        auto [it, fresh] = by_name_.emplace(c.canonical, static_cast<int>(i));
        if (!fresh) {
            const CVar& prev = var(it->second);
            auto pos = [](const SourceLoc& l) {
                if (l.line == 0) return std::string("(no position)");
                return (l.file.empty() ? std::string() : l.file + ":") + std::to_string(l.line) + ":" +
                       std::to_string(l.col);
            };
            error(sim::Code::E_DUPLICATE, c.loc, static_cast<int>(i),
                  "'" + v.name + "' at " + pos(c.loc) + " has the same name as '" + prev.name + "' declared at " +
                      pos(prev.loc) + " (names ignore case, spaces and underscores); rename one of them");
            var(static_cast<int>(i)).broken = true;
        }
    }
    // Graphical functions first, so that equations can call them.
    for (std::size_t i = 0; i < uvars.size(); ++i) {
        const Variable& v = uvars[i];
        int vi = static_cast<int>(i);
        if (v.gf && (v.kind == VarKind::lookup || v.kind == VarKind::aux || v.kind == VarKind::flow)) {
            var(vi).table = add_table(*v.gf, vi);
            if (var(vi).table < 0) var(vi).broken = true;
        } else if (v.kind == VarKind::lookup) {
            error(sim::Code::E_LOOKUP_TABLE, var(vi).loc, vi, "lookup has no graphical function (x and y points)");
            var(vi).broken = true;
        }
    }
    // Equations.
    for (std::size_t i = 0; i < uvars.size(); ++i) {
        const Variable& v = uvars[i];
        int vi = static_cast<int>(i);
        if (v.kind == VarKind::lookup || var(vi).broken) continue;
        int e = resolve_equation(vi, v.equation);
        if (e < 0) {
            var(vi).broken = true;
            continue;
        }
        switch (v.kind) {
            case VarKind::stock: var(vi).init = e; break;
            case VarKind::constant: var(vi).init = e; break;
            default:
                if (var(vi).table >= 0) e = table_call(var(vi).table, e);
                if (v.non_negative && v.kind == VarKind::flow) e = op(Code::nonneg, e);
                var(vi).init = var(vi).run = e;
                break;
        }
    }
    // Stock flow lists.
    for (std::size_t i = 0; i < uvars.size(); ++i) {
        const Variable& v = uvars[i];
        int vi = static_cast<int>(i);
        if (v.kind != VarKind::stock) {
            if (!v.inflows.empty() || !v.outflows.empty())
                error(sim::Code::E_NOT_A_STOCK, var(vi).loc, vi,
                      std::string("only stocks have inflows and outflows; this is a ") + to_string(v.kind));
            continue;
        }
        auto link = [&](const std::vector<std::string>& names, std::vector<int>& out, const char* dir) {
            for (const auto& fname : names) {
                auto it = by_name_.find(canonical_name(fname));
                if (it == by_name_.end()) {
                    error(sim::Code::E_UNKNOWN_NAME, var(vi).loc, vi,
                          std::string("unknown ") + dir + " '" + fname + "'" + suggestion(canonical_name(fname)));
                    var(vi).broken = true;
                } else if (var(it->second).kind != VarKind::flow) {
                    error(sim::Code::E_NOT_A_FLOW, var(vi).loc, vi,
                          std::string(dir) + " '" + fname + "' is " + article(var(it->second).kind) +
                              ", not a flow; list only flows as inflows and outflows");
                    var(vi).broken = true;
                } else {
                    out.push_back(it->second);
                }
            }
        };
        link(v.inflows, var(vi).inflows, "inflow");
        link(v.outflows, var(vi).outflows, "outflow");
    }

    // Literal auxiliaries and constants hold their value in the slot template.
    for (auto& c : vars_) {
        if (c.broken || c.role == Role::stock || c.role == Role::state || c.role == Role::lookup) continue;
        int e = c.role == Role::constant ? c.init : c.run;
        if (e >= 0 && node(e).kind == RNode::num) {
            c.literal = true;
            c.value = node(e).value;
        }
    }

    // Per-step loops first: a loop among auxiliaries is an algebraic loop even
    // though it also makes their initial values circular; report it once, as such.
    std::vector<int> run_order = order(false);
    std::vector<int> init_order = order(true);
    if (diags_.has_errors()) return nullptr;

    // Slot layout: fixed | constants (literal first) | stocks | auxes/flows | state | pool | temps.
    Slot next = first_free_slot;
    std::vector<double>& tmpl = prog->slots;
    tmpl.assign(first_free_slot, 0.0);
    auto place = [&](auto pred) {
        for (auto& c : vars_)
            if (pred(c)) {
                c.slot = next++;
                tmpl.push_back(c.literal ? c.value : 0.0);
            }
    };
    place([](const CVar& c) { return c.literal; });
    place([](const CVar& c) { return !c.literal && c.role == Role::constant; });
    prog->stock_begin = next;
    place([](const CVar& c) { return c.role == Role::stock && !c.hidden; });
    place([](const CVar& c) { return c.role == Role::stock && c.hidden; });
    prog->stock_count = next - prog->stock_begin;
    place([](const CVar& c) { return !c.literal && c.role == Role::aux; });
    place([](const CVar& c) { return c.role == Role::state; });

    // Emission. Temporaries get provisional numbers (temp_flag | k) and are
    // moved after the literal pool once its size is known.
    constexpr Slot temp_flag = 0x80000000u;
    std::map<std::uint64_t, Slot> pool;
    std::uint32_t max_temps = 0;
    auto pool_slot = [&](double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        auto [it, fresh] = pool.emplace(bits, next);
        if (fresh) {
            ++next;
            tmpl.push_back(v);
        }
        return it->second;
    };
    auto emit_expr = [&](std::vector<Instr>& tape, int root, Slot dst) {
        std::uint32_t temps = 0;
        auto rec = [&](auto& self, int e, std::optional<Slot> into) -> Slot {
            const RNode& r = node(e);
            Slot s = 0;
            switch (r.kind) {
                case RNode::num: s = pool_slot(r.value); break;
                case RNode::var: s = var(static_cast<int>(r.ref)).slot; break;
                case RNode::slot: s = r.ref; break;
                case RNode::table: {
                    Slot a = self(self, r.a, std::nullopt);
                    Slot d = into ? *into : (temp_flag | temps++);
                    tape.push_back({Code::lookup, d, a, r.ref, 0, 0});
                    return d;
                }
                case RNode::op: {
                    // Fuse nested +,-,* and / into one instruction (see Code::fused_*).
                    auto arith = [&](int i) {
                        return i >= 0 && node(i).kind == RNode::op ? arith_index(node(i).code) : -1;
                    };
                    const int o = arith_index(r.code), la = arith(r.a), rb = arith(r.b);
                    if (o >= 0 && la >= 0) {
                        const RNode& l = node(r.a);
                        const int lla = arith(l.a);
                        Slot d = 0;
                        Instr in{};
                        if (lla >= 0) {
                            const RNode& ll = node(l.a);
                            in.op = fused(Code::fused_l3, 16 * lla + 4 * la + o);
                            in.a = self(self, ll.a, std::nullopt);
                            in.b = self(self, ll.b, std::nullopt);
                            in.c = self(self, l.b, std::nullopt);
                            in.d = self(self, r.b, std::nullopt);
                        } else {
                            in.op = fused(Code::fused_l2, 4 * la + o);
                            in.a = self(self, l.a, std::nullopt);
                            in.b = self(self, l.b, std::nullopt);
                            in.c = self(self, r.b, std::nullopt);
                        }
                        d = into ? *into : (temp_flag | temps++);
                        in.dst = d;
                        tape.push_back(in);
                        return d;
                    }
                    if (o >= 0 && rb >= 0) {
                        const RNode& rr = node(r.b);
                        Instr in{};
                        in.op = fused(Code::fused_r2, 4 * rb + o);
                        in.a = self(self, r.a, std::nullopt);
                        in.b = self(self, rr.a, std::nullopt);
                        in.c = self(self, rr.b, std::nullopt);
                        in.dst = into ? *into : (temp_flag | temps++);
                        tape.push_back(in);
                        return in.dst;
                    }
                    Slot a = r.a >= 0 ? self(self, r.a, std::nullopt) : 0;
                    Slot b = r.b >= 0 ? self(self, r.b, std::nullopt) : 0;
                    Slot c = r.c >= 0 ? self(self, r.c, std::nullopt) : 0;
                    Slot d = into ? *into : (temp_flag | temps++);
                    tape.push_back({r.code, d, a, b, c, 0});
                    return d;
                }
            }
            if (into) tape.push_back({Code::copy, *into, s, 0, 0, 0});
            return s;
        };
        rec(rec, root, dst);
        max_temps = std::max(max_temps, temps);
    };
    for (int v : init_order) emit_expr(prog->initial_tape, var(v).init, var(v).slot);
    for (int v : run_order) emit_expr(prog->flow_tape, var(v).run, var(v).slot);
    const Slot temp_base = next;
    for (auto* tape : {&prog->initial_tape, &prog->flow_tape})
        for (auto& in : *tape)
            for (Slot* s : {&in.dst, &in.a, &in.b, &in.c, &in.d})
                if (*s & temp_flag && !(in.op == Code::lookup && s == &in.b)) *s = temp_base + (*s & ~temp_flag);
    tmpl.resize(temp_base + max_temps, 0.0);

    // Stock derivatives.
    for (const auto& c : vars_) {
        if (c.role != Role::stock) continue;
        std::uint32_t si = c.slot - prog->stock_begin;
        for (int f : c.inflows) prog->inflow_terms.push_back({si, var(f).slot});
        for (int f : c.outflows) prog->outflow_terms.push_back({si, var(f).slot});
        if (c.nonneg) prog->nonneg_stocks.push_back(si);
        if (c.inflows.empty() && c.outflows.empty()) continue;
        Program::StockFlows g{si, static_cast<std::uint32_t>(prog->flow_slots.size()), 0, 0};
        for (int f : c.inflows) prog->flow_slots.push_back(var(f).slot);
        g.out_begin = static_cast<std::uint32_t>(prog->flow_slots.size());
        for (int f : c.outflows) prog->flow_slots.push_back(var(f).slot);
        g.end = static_cast<std::uint32_t>(prog->flow_slots.size());
        prog->stock_flows.push_back(g);
    }
    for (const auto& d : delays_) prog->delays.push_back({var(d.out).slot, var(d.input).slot, var(d.delay_time).slot});
    for (const auto& p : previous_) prog->previous.push_back({var(p.out).slot, var(p.input).slot});
    prog->tables = std::move(tables_);
    prog->slot_names.assign(prog->slots.size(), std::string());
    for (const auto& c : vars_)
        if (c.role != Role::lookup)
            prog->slot_names[c.slot] = c.hidden && c.owner >= 0 ? c.name + " (" + var(c.owner).name + ")" : c.name;

    for (std::size_t i = 0; i < uvars.size(); ++i) {
        const CVar& c = vars_[i];
        if (c.role == Role::lookup) continue;
        bool settable = c.literal && (c.kind == VarKind::constant || c.kind == VarKind::aux || c.kind == VarKind::flow);
        prog->index.emplace(c.canonical, static_cast<std::uint32_t>(prog->vars.size()));
        prog->vars.push_back({c.name, c.canonical, c.kind, c.slot, settable});
    }
    return prog;
}

}  // namespace

const VarInfo* Program::find(std::string_view name) const {
    auto it = index.find(canonical_name(name));
    return it == index.end() ? nullptr : &vars[it->second];
}

std::shared_ptr<const Program> Program::compile(const ModelSpec& spec, Diagnostics& diags) {
    Diagnostics local;
    ModelSpec expanded = expand_levers(spec, local);
    // Lever errors do not stop compilation: the user sees every error at once.
    std::shared_ptr<Program> p = Compiler(expanded, local).compile();
    diags.append(local);
    if (!p || local.has_errors()) return nullptr;
    p->spec = std::move(expanded);
    return p;
}

}  // namespace sim::detail
