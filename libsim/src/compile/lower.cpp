// Lowering builtin calls to resolved nodes. Stateful builtins become small
// stock-flow structures of hidden variables (SMTH*, DELAY1/3/N, TREND), or
// state variables updated at accepted steps (INIT, PREVIOUS, DELAY FIXED).
#include <cmath>
#include <limits>
#include <numbers>

#include "compile/compiler.hpp"
#include "util/text.hpp"

namespace sim::detail {

using ast::Builtin;

int Compiler::add_hidden(Role role, VarKind kind, const char* what) {
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

int Compiler::hidden_aux(const char* what, int expr) {
    int v = add_hidden(Role::aux, VarKind::aux, what);
    var(v).run = expr;
    var(v).init = expr;
    return v;
}

int Compiler::as_var(int expr, const char* what) {
    if (node(expr).kind == RNode::var) return static_cast<int>(node(expr).ref);
    return hidden_aux(what, expr);
}

// The stage count n of SMTHN/DELAYN must be known when compiling.
// A delay or smoothing time that is a negative number, written or as a
// constant, is an error: a negative delay would read the future, a negative
// smoothing time makes the smoothed value run away.
void Compiler::check_time_args() {
    for (const auto& t : time_args_) {
        const RNode& r = node(t.expr);
        double v = 0;
        if (r.kind == RNode::num) v = r.value;
        else if (r.kind == RNode::var && var(static_cast<int>(r.ref)).literal) v = var(static_cast<int>(r.ref)).value;
        else continue;  // computed: DELAY FIXED checks it while running
        if (v < 0)
            error(sim::Code::E_DELAY_TIME, t.loc, t.var,
                  t.fname + ": the delay or averaging time is " + text::number(v) +
                      "; it must be zero or positive (a negative time would reach into the future)");
    }
}

int Compiler::const_count(int expr, const ast::Node& n, std::string_view fname) {
    const RNode& r = node(expr);
    if (r.kind != RNode::num || !(r.value >= 1) || r.value > 1000 || r.value != std::floor(r.value)) {
        error_at(sim::Code::E_CONST_ARG, n.span.begin,
                 std::string(fname) +
                     ": the number of stages must be a whole number from 1 to 1000 written in the equation");
        return -1;
    }
    return static_cast<int>(r.value);
}

int Compiler::previous_of(int expr, int init) {
    int in = as_var(expr, "previous_in");
    int out = add_hidden(Role::state, VarKind::aux, "previous");
    var(out).init = init >= 0 ? init : ref(in);
    previous_.push_back({out, in});
    return ref(out);
}

// `args` are resolved and their count checked against the table.
int Compiler::builtin(const ast::Node& n, const ast::BuiltinInfo& info, std::vector<int>& args) {
    auto arg = [&](std::size_t i, int fallback) { return i < args.size() ? args[i] : fallback; };
    // The delay or smoothing time (argument 2) of the stateful builtins.
    switch (info.id) {
        case Builtin::delay: case Builtin::smth1: case Builtin::smth3: case Builtin::smthn:
        case Builtin::delay1: case Builtin::delay3: case Builtin::delayn: case Builtin::trend:
        case Builtin::vensim_delayn:
            if (args.size() > 1 && args[1] >= 0) {
                const auto* call = std::get_if<ast::Call>(&n.v);
                const std::uint32_t at = call && call->args.size() > 1 ? eq_->tree[call->args[1]].span.begin : n.span.begin;
                time_args_.push_back({args[1], eq_->at(at), cur_, std::string(info.name)});
            }
            break;
        default: break;
    }
    switch (info.id) {
        case Builtin::abs: return op(Code::abs, args[0]);
        case Builtin::min: return op(Code::min, args[0], args[1]);
        case Builtin::max: return op(Code::max, args[0], args[1]);
        case Builtin::exp: return op(Code::exp, args[0]);
        case Builtin::ln: return op(Code::ln, args[0]);
        case Builtin::log10: return op(Code::log10, args[0]);
        case Builtin::sqrt: return op(Code::sqrt, args[0]);
        case Builtin::sin: return op(Code::sin, args[0]);
        case Builtin::cos: return op(Code::cos, args[0]);
        case Builtin::tan: return op(Code::tan, args[0]);
        case Builtin::asin: return op(Code::asin, args[0]);
        case Builtin::acos: return op(Code::acos, args[0]);
        case Builtin::atan: return op(Code::atan, args[0]);
        case Builtin::sinh: return op(Code::sinh, args[0]);
        case Builtin::cosh: return op(Code::cosh, args[0]);
        case Builtin::tanh: return op(Code::tanh, args[0]);
        case Builtin::int_: return op(Code::floor, args[0]);
        case Builtin::mod: return op(Code::mod, args[0], args[1]);
        case Builtin::pi: return num(std::numbers::pi);
        case Builtin::safediv: return op(Code::safediv, args[0], args[1], arg(2, num(0)));
        case Builtin::xidz: return op(Code::safediv, args[0], args[1], args[2]);
        case Builtin::zidz: return op(Code::safediv, args[0], args[1], num(0));
        case Builtin::step: return op(Code::step, args[0], args[1]);
        case Builtin::ramp:
            return op(Code::ramp, args[0], args[1], arg(2, num(std::numeric_limits<double>::infinity())));
        case Builtin::pulse: return op(Code::pulse, args[0], args[1], arg(2, num(0)));
        case Builtin::if_then_else:
            if (node(args[0]).kind == RNode::num) return node(args[0]).value != 0 ? args[1] : args[2];
            return op(Code::select, args[0], args[1], args[2]);
        case Builtin::vensim_integer: return op(Code::trunc, args[0]);
        case Builtin::vensim_modulo: return op(Code::fmod, args[0], args[1]);
        case Builtin::vensim_step: return op(Code::vstep, args[0], args[1]);
        case Builtin::vensim_pulse: return op(Code::vpulse, args[0], args[1]);
        case Builtin::vensim_pulse_train:
            // Pulses until `end` (inclusive): Vensim compares the time itself with it.
            return op(Code::select, op(Code::le, raw_slot(slot_time), args[3]),
                      op(Code::vpulse_train, args[0], args[1], args[2]), num(0));
        case Builtin::quantum: return op(Code::quantum, args[0], args[1]);
        case Builtin::sample_if_true: {
            // out = condition ? input : out at the last accepted step (latched
            // like PREVIOUS); at the start, condition ? input : initial.
            int out = add_hidden(Role::aux, VarKind::aux, "sample");
            int last = add_hidden(Role::state, VarKind::aux, "sample_last");
            // The variable named in its own arguments (Vensim's `x = SAMPLE IF
            // TRUE(y > x, y, y)`) is its value at the last accepted step.
            std::vector<int> todo{args[0], args[1]};
            while (!todo.empty()) {
                int e = todo.back();
                todo.pop_back();
                if (e < 0) continue;
                RNode& r = nodes_[static_cast<std::size_t>(e)];
                if (r.kind == RNode::var && static_cast<int>(r.ref) == cur_) r.ref = static_cast<std::uint32_t>(last);
                todo.insert(todo.end(), {r.a, r.b, r.c});
            }
            var(last).init = args[2];
            previous_.push_back({last, out});
            var(out).run = op(Code::select, args[0], args[1], ref(last));
            var(out).init = op(Code::select, args[0], args[1], args[2]);
            return ref(out);
        }
        case Builtin::active_initial: {
            // An auxiliary whose initial value has its own equation.
            int out = add_hidden(Role::aux, VarKind::aux, "active_initial");
            var(out).run = args[0];
            var(out).init = args[1];
            return ref(out);
        }
        case Builtin::vensim_random: return op(Code::random01, args[0], args[1]);
        case Builtin::vensim_random_normal: return op(Code::random_normal, args[0], args[1]);
        case Builtin::vensim_invert_matrix:
        case Builtin::vensim_allocate_available: {
            // The .mdl reader's unrolled calls (io/vensim/expand_vectors.cpp):
            // (position, n x n elements) and (position, available, n requests,
            // 4n profile values); one Code::vector instruction each.
            const bool inverse = info.id == Builtin::vensim_invert_matrix;
            const std::size_t rest = args.size() - (inverse ? 1 : 2);
            std::size_t size = 0;
            if (inverse)
                while (size * size < rest) ++size;
            else
                size = rest / 5;
            const bool shaped = size > 0 && (inverse ? size * size : 5 * size) == rest;
            const RNode k = node(args[0]);  // a copy: as_var below adds nodes
            const double elements = static_cast<double>(inverse ? rest : size);
            if (!shaped || k.kind != RNode::num || !(k.value >= 0 && k.value < elements) || k.value != std::floor(k.value)) {
                error_at(sim::Code::E_ARRAY_ARG, n.span.begin,
                         std::string(info.name) + " takes " + std::string(info.params) +
                             ": the position a number written in the call");
                return -1;
            }
            CVec v;
            v.kind = inverse ? VectorOp::invert_matrix : VectorOp::allocate_available;
            v.k = static_cast<std::uint32_t>(k.value);
            const std::size_t first = inverse ? 1 : 2;
            for (std::size_t i = first; i < first + (inverse ? rest : size); ++i) v.a.push_back(as_var(args[i], "vector_in"));
            if (!inverse) {
                for (std::size_t i = first + size; i < args.size(); ++i) v.b.push_back(as_var(args[i], "vector_in"));
                v.p0 = as_var(args[1], "vector_arg");
            }
            return vec_call(std::move(v));
        }
        case Builtin::time: return raw_slot(slot_time);
        case Builtin::dt: return raw_slot(slot_dt);
        case Builtin::starttime: return raw_slot(slot_start);
        case Builtin::stoptime: return raw_slot(slot_stop);
        case Builtin::init: {
            // A state variable fixed at x's initial value.
            int out = add_hidden(Role::state, VarKind::aux, "init");
            var(out).init = args[0];
            return ref(out);
        }
        case Builtin::previous: return previous_of(args[0], arg(1, -1));
        case Builtin::delay: {
            int in = as_var(args[0], "delay_in");
            int d = as_var(args[1], "delay_time");
            int out = add_hidden(Role::state, VarKind::aux, "delay");
            var(out).init = arg(2, ref(in));
            delays_.push_back({out, in, d});
            return ref(out);
        }
        case Builtin::smth1:
        case Builtin::smth3:
        case Builtin::smthn: {
            int stages = info.id == Builtin::smth1   ? 1
                         : info.id == Builtin::smth3 ? 3
                                                     : const_count(args[2], n, info.name);
            if (stages < 0) return -1;
            int initial = info.id == Builtin::smthn ? arg(3, args[0]) : arg(2, args[0]);
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
        case Builtin::delay1:
        case Builtin::delay3:
        case Builtin::delayn:
        case Builtin::vensim_delayn: {
            const bool vensim = info.id == Builtin::vensim_delayn;
            int stages = info.id == Builtin::delay1   ? 1
                         : info.id == Builtin::delay3 ? 3
                                                      : const_count(args[2], n, info.name);
            if (stages < 0) return -1;
            int initial = info.id == Builtin::delayn || vensim ? arg(3, args[0]) : arg(2, args[0]);
            int stage_time = op(Code::div, args[1], num(stages));
            // Vensim's DELAY N remembers the delay time stage by stage: stage
            // k drains with the delay time of k steps before, and the output
            // is the last stage over the previous step's delay time (PySD's
            // DelayN, which reproduces Vensim's output when the delay time
            // changes: the suite's tests/delays). The same as DELAYN while the
            // delay time is constant.
            int lagged = args[1], first_lag = -1;
            int in = add_hidden(Role::aux, VarKind::flow, "delay_inflow");
            var(in).run = var(in).init = args[0];
            int last = -1;
            for (int i = 0; i < stages; ++i) {
                int s = add_hidden(Role::stock, VarKind::stock, "delay_stage");
                int out = add_hidden(Role::aux, VarKind::flow, "delay_outflow");
                int drain = stage_time;
                if (vensim && i > 0) {
                    lagged = previous_of(lagged, -1);
                    if (first_lag < 0) first_lag = lagged;
                    drain = op(Code::div, lagged, num(stages));
                }
                var(out).run = var(out).init = op(Code::div, ref(s), drain);
                var(s).init = op(Code::mul, initial, stage_time);  // each stage holds initial * D/n
                var(s).inflows = {in};
                var(s).outflows = {out};
                in = out;
                last = s;
            }
            if (vensim) {
                if (first_lag < 0) first_lag = previous_of(args[1], -1);
                return op(Code::div, ref(last), op(Code::div, first_lag, num(stages)));
            }
            return ref(in);
        }
        case Builtin::trend: {
            int input = args[0], avg = args[1], it = arg(2, num(0));
            int s = add_hidden(Role::stock, VarKind::stock, "trend");
            int f = add_hidden(Role::aux, VarKind::flow, "trend_flow");
            var(f).run = var(f).init = op(Code::div, op(Code::sub, input, ref(s)), avg);
            var(s).init = op(Code::div, input, op(Code::add, num(1), op(Code::mul, it, avg)));
            var(s).inflows = {f};
            return op(Code::div, op(Code::sub, input, ref(s)), op(Code::mul, avg, ref(s)));
        }
        default:
            break;  // array functions are lowered by arrays.cpp
    }
    return -1;
}

}  // namespace sim::detail
