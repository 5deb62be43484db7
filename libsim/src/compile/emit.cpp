// Compiler phases on slots: literal values, slot layout, tape emission,
// stock derivative terms, the user-visible variable index.
#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "compile/compiler.hpp"
#include "lang/names.hpp"

namespace sim::detail {
namespace {

// A node's structure for sharing equal sub-expressions (Compiler::emit):
// kind, code and reference, a number's bits, the children's structure ids.
struct StructureKey {
    std::uint64_t head = 0, value = 0, ab = 0, c = 0;
    bool operator==(const StructureKey&) const = default;
};
struct StructureKeyHash {
    std::size_t operator()(const StructureKey& k) const {
        std::uint64_t h = 0x9e3779b97f4a7c15u;
        for (std::uint64_t x : {k.head, k.value, k.ab, k.c}) {
            h ^= x + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
            h *= 0xff51afd7ed558ccdu;
        }
        return static_cast<std::size_t>(h ^ (h >> 33));
    }
};

}  // namespace

// Invariant after: a constant or auxiliary whose resolved expression is a
// number is `literal` and holds its value (it lives in the slot template
// and is never computed by a tape).
void Compiler::mark_literals() {
    for (auto& c : vars_) {
        if (c.broken || c.role == Role::stock || c.role == Role::state || c.role == Role::lookup) continue;
        int e = c.role == Role::constant ? c.init : c.run;
        if (e >= 0 && node(e).kind == RNode::num) {
            c.literal = true;
            c.value = node(e).value;
        }
    }
}

// Invariant after: every variable has a slot, laid out as
//   fixed | literals | other constants | stocks (user, then hidden) |
//   auxiliaries and flows | state
// with stocks contiguous at [stock_begin, stock_begin + stock_count), and
// the template holds the literal values (0 elsewhere).
void Compiler::layout(Program& prog) {
    Slot next = first_free_slot;
    std::vector<double>& tmpl = prog.slots;
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
    prog.stock_begin = next;
    place([](const CVar& c) { return c.role == Role::stock && !c.hidden; });
    place([](const CVar& c) { return c.role == Role::stock && c.hidden; });
    prog.stock_count = next - prog.stock_begin;
    place([](const CVar& c) { return !c.literal && c.role == Role::aux; });
    place([](const CVar& c) { return c.role == Role::state; });
    next_slot_ = next;
}

// Invariant after: the initial tape computes every initial value and the
// flow tape every flow and auxiliary, each in dependency order; numbers live
// in a pool of slots after the variables (one per distinct value), then the
// temporaries, which no two equations need at once, then the slots of the
// hoisted values.
//
// Hoisting: what the flow tape would compute to the same value at every
// step is computed once per run instead, at the end of the initial tape
// (initial_tape[hoist_begin, end), after every constant is set and
// computed): an auxiliary or flow whose equation reads only constants,
// numbers and other such auxiliaries (through arithmetic, pure functions and lookups; not TIME, DT,
// the time functions, random numbers, stocks, state or vector functions),
// into its own slot, and each largest such sub-expression of the other
// flow-tape equations, into a slot of its own (`LN(1 + growth)` in `stock *
// LN(1 + growth)`). The arithmetic is the same, operation for operation, so
// results do not change by a bit; what changes is how often it is done
// (Chongqing: 6 of its 13 LN calls a step). Program::hoisted records each
// hoisted computation for the non-finite diagnosis (run/nonfinite.cpp).
void Compiler::emit(Program& prog, const std::vector<int>& init_order, const std::vector<int>& run_order) {
    Slot next = next_slot_;
    prog.pool_begin = next;
    std::vector<double>& tmpl = prog.slots;
    // Temporaries get provisional numbers (temp_flag | k) and are moved
    // after the literal pool once its size is known; hoisted values
    // (hoist_flag | k) after the temporaries.
    constexpr Slot temp_flag = 0x80000000u, hoist_flag = 0x40000000u, share_flag = 0x20000000u;
    // Run invariance of variables (constants, literals, hoisted auxiliaries)
    // and of nodes (memo: -1 unknown, 0 no, 1 yes).
    std::vector<char> var_invariant(vars_.size(), 0);
    for (std::size_t i = 0; i < vars_.size(); ++i)
        var_invariant[i] = !vars_[i].broken && (vars_[i].literal || vars_[i].role == Role::constant);
    std::vector<signed char> node_invariant(nodes_.size(), -1);
    auto invariant = [&](auto& self, int e) -> bool {
        if (e < 0) return true;
        signed char& m = node_invariant[static_cast<std::size_t>(e)];
        if (m >= 0) return m != 0;
        const RNode& r = node(e);
        bool yes = false;
        switch (r.kind) {
            case RNode::num: yes = true; break;
            case RNode::var: yes = var_invariant[r.ref] != 0; break;
            case RNode::slot: case RNode::vec: yes = false; break;
            case RNode::table: yes = self(self, r.a); break;
            case RNode::op:
                yes = !op_info(r.code).timed && self(self, r.a) && self(self, r.b) && self(self, r.c);
                break;
        }
        m = yes ? 1 : 0;
        return yes;
    };
    // Worth a slot of its own: a computation, not a number or a variable.
    auto hoistable = [&](int e) {
        return e >= 0 && (node(e).kind == RNode::op || node(e).kind == RNode::table) && invariant(invariant, e);
    };
    // Auxiliaries computed once per run, in dependency order, so that one
    // reading another's value is found invariant too (and no node's memo is
    // made before the variables it reads are decided).
    for (int v : run_order)
        if (invariant(invariant, var(v).run)) var_invariant[static_cast<std::size_t>(v)] = 1;
    std::vector<Instr> hoisted_tape;  // appended to the initial tape at the end
    std::map<int, Slot> hoisted_node;  // node -> its provisional hoisted slot
    std::uint32_t hoisted_count = 0;
    bool hoisting = false;  // emitting a flow-tape equation

    // Shared sub-expressions: structurally equal computations (same
    // operations on the same variables and numbers) that the flow-tape
    // equations need more than once a step are computed at their first use
    // and read after that (`LN(1 + urban_income_growth)` in three of
    // Chongqing's equations). Structure ids by interning; uses counted over
    // the flow-tape equations, hoisted parts left out.
    std::vector<int> sid(nodes_.size(), -1);
    std::unordered_map<StructureKey, int, StructureKeyHash> interned;
    auto structure = [&](auto& self, int e) -> int {
        if (e < 0) return -1;
        int& id = sid[static_cast<std::size_t>(e)];
        if (id >= 0) return id;
        const RNode& r = node(e);
        StructureKey k{};
        k.head = static_cast<std::uint64_t>(r.kind) | static_cast<std::uint64_t>(r.code) << 8 |
                 static_cast<std::uint64_t>(r.ref) << 16;
        if (r.kind == RNode::num) std::memcpy(&k.value, &r.value, sizeof k.value);
        const int a = self(self, r.a), b = self(self, r.b), c = self(self, r.c);
        k.ab = static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32 | static_cast<std::uint32_t>(b);
        k.c = static_cast<std::uint32_t>(c);
        const int fresh = static_cast<int>(interned.size());
        id = interned.emplace(k, fresh).first->second;  // sid never grows: `id` stays valid
        return id;
    };
    std::vector<std::uint32_t> uses;
    auto count_uses = [&](auto& self, int e) -> void {
        if (e < 0 || hoistable(e)) return;
        const RNode& r = node(e);
        if (r.kind != RNode::op && r.kind != RNode::table) return;
        const auto id = static_cast<std::size_t>(structure(structure, e));
        if (uses.size() <= id) uses.resize(id + 1, 0);
        ++uses[id];
        self(self, r.a);
        self(self, r.b);
        self(self, r.c);
    };
    for (int v : run_order)
        if (!var_invariant[static_cast<std::size_t>(v)]) count_uses(count_uses, var(v).run);
    auto shared = [&](int e) {
        if (e < 0 || (node(e).kind != RNode::op && node(e).kind != RNode::table)) return false;
        const auto id = static_cast<std::size_t>(structure(structure, e));
        return id < uses.size() && uses[id] >= 2;
    };
    std::map<int, Slot> shared_at;  // structure id -> the slot holding it this step
    std::set<int> sharing;          // structure ids being emitted now
    std::uint32_t shared_count = 0;
    std::vector<std::pair<Slot, std::uint32_t>> shared_begin;  // provisional slot, first instruction
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
    auto emit_expr = [&](auto& emit_self, std::vector<Instr>& tape, int root, Slot dst) -> void {
        std::uint32_t temps = 0;
        auto rec = [&](auto& self, int e, std::optional<Slot> into) -> Slot {
            const RNode& r = node(e);
            Slot s = 0;
            if (hoisting && !into && hoistable(e)) {
                auto [it, fresh] = hoisted_node.emplace(e, hoist_flag | hoisted_count);
                if (fresh) {
                    ++hoisted_count;
                    const auto begin = static_cast<std::uint32_t>(hoisted_tape.size());
                    hoisting = false;
                    emit_self(emit_self, hoisted_tape, e, it->second);
                    hoisting = true;
                    prog.hoisted.push_back({it->second, begin, static_cast<std::uint32_t>(hoisted_tape.size())});
                }
                return it->second;
            }
            if (hoisting && shared(e)) {
                const int id = structure(structure, e);
                if (auto it = shared_at.find(id); it != shared_at.end()) {
                    if (into) tape.push_back({Code::copy, *into, it->second, 0, 0, 0});
                    return into ? *into : it->second;
                }
                if (!sharing.count(id)) {
                    sharing.insert(id);
                    const auto begin = static_cast<std::uint32_t>(tape.size());
                    const Slot d = into ? *into : (share_flag | shared_count++);
                    self(self, e, d);
                    sharing.erase(id);
                    shared_at.emplace(id, d);
                    if (!into) shared_begin.emplace_back(d, begin);
                    return d;
                }
            }
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
                case RNode::vec: {
                    Slot d = into ? *into : (temp_flag | temps++);
                    tape.push_back({Code::vector, d, 0, r.ref, 0, 0});
                    return d;
                }
                case RNode::op: {
                    // Fuse nested +,-,* and / into one instruction (see Code::fused_*).
                    auto arith = [&](int i) {
                        return i >= 0 && node(i).kind == RNode::op && !(hoisting && (hoistable(i) || shared(i)))
                                   ? arith_index(node(i).code)
                                   : -1;
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
    for (int v : init_order) emit_expr(emit_expr, prog.initial_tape, var(v).init, var(v).slot);
    for (int v : run_order) {
        const int root = var(v).run;
        if (var_invariant[static_cast<std::size_t>(v)]) {  // the whole equation: once, into its own slot
            const auto begin = static_cast<std::uint32_t>(hoisted_tape.size());
            emit_expr(emit_expr, hoisted_tape, root, var(v).slot);
            prog.hoisted.push_back({var(v).slot, begin, static_cast<std::uint32_t>(hoisted_tape.size())});
            continue;
        }
        hoisting = true;
        emit_expr(emit_expr, prog.flow_tape, root, var(v).slot);
        hoisting = false;
    }
    for (const auto& [slot, begin] : shared_begin) {
        // The instructions [begin, end) of a shared value end with the one writing it.
        std::uint32_t end = begin;
        while (prog.flow_tape[end].dst != slot) ++end;
        prog.shared.push_back({slot, begin, end + 1});
    }
    prog.hoist_begin = static_cast<std::uint32_t>(prog.initial_tape.size());
    for (auto& h : prog.hoisted) {
        h.begin += prog.hoist_begin;
        h.end += prog.hoist_begin;
    }
    prog.initial_tape.insert(prog.initial_tape.end(), hoisted_tape.begin(), hoisted_tape.end());
    // Provisional numbers carry the flags above: every final number must stay
    // below the lowest of them, or renumbering would take a slot for another.
    const std::uint64_t needed = std::uint64_t{next} + max_temps + hoisted_count + shared_count;
    if (needed >= share_flag) {
        diags_.error(sim::Code::E_LIMIT, {}, "",
                     "the model needs " + std::to_string(needed) + " value slots, more than the " +
                         std::to_string(share_flag - 1) +
                         " a compiled program can address; split it into smaller models or use fewer array elements");
        return;
    }
    const Slot temp_base = next, hoist_base = next + max_temps, share_base = hoist_base + hoisted_count;
    prog.temp_begin = temp_base;
    auto renumber = [&](Slot& s) {
        if (s & temp_flag)
            s = temp_base + (s & ~temp_flag);
        else if (s & hoist_flag)
            s = hoist_base + (s & ~hoist_flag);
        else if (s & share_flag)
            s = share_base + (s & ~share_flag);
    };
    for (auto* tape : {&prog.initial_tape, &prog.flow_tape})
        for (auto& in : *tape)
            for (Slot* s : {&in.dst, &in.a, &in.b, &in.c, &in.d})
                if (!((in.op == Code::lookup || in.op == Code::vector) && s == &in.b)) renumber(*s);
    for (auto& h : prog.hoisted) renumber(h.dst);
    for (auto& h : prog.shared) renumber(h.dst);
    tmpl.resize(share_base + shared_count, 0.0);
    next_slot_ = next;
}

// Invariant after: the program holds each stock's derivative terms (flat and
// grouped by stock), the non-negative stocks, fixed delays, PREVIOUS pairs
// and the tables.
void Compiler::emit_stocks(Program& prog) {
    prog.stock_owner.assign(prog.stock_count, Program::no_owner);
    for (const auto& c : vars_) {
        if (c.role != Role::stock) continue;
        std::uint32_t si = c.slot - prog.stock_begin;
        if (c.hidden && c.owner >= 0) prog.stock_owner[si] = var(c.owner).slot;
        for (int f : c.inflows) prog.inflow_terms.push_back({si, var(f).slot});
        for (int f : c.outflows) prog.outflow_terms.push_back({si, var(f).slot});
        if (c.nonneg) prog.nonneg_stocks.push_back(si);
        if (c.inflows.empty() && c.outflows.empty()) continue;
        Program::StockFlows g{si, static_cast<std::uint32_t>(prog.flow_slots.size()), 0, 0};
        for (int f : c.inflows) prog.flow_slots.push_back(var(f).slot);
        g.out_begin = static_cast<std::uint32_t>(prog.flow_slots.size());
        for (int f : c.outflows) prog.flow_slots.push_back(var(f).slot);
        g.end = static_cast<std::uint32_t>(prog.flow_slots.size());
        prog.stock_flows.push_back(g);
    }
    auto only_out = std::stable_partition(prog.stock_flows.begin(), prog.stock_flows.end(),
                                          [](const Program::StockFlows& g) { return g.in_begin < g.out_begin; });
    prog.stock_flows_in_first = static_cast<std::size_t>(only_out - prog.stock_flows.begin());
    for (const auto& d : delays_) prog.delays.push_back({var(d.out).slot, var(d.input).slot, var(d.delay_time).slot});
    for (const auto& p : previous_) prog.previous.push_back({var(p.out).slot, var(p.input).slot});
    prog.step_written.assign(prog.slots.size(), 0);
    for (const auto& in : prog.flow_tape) prog.step_written[in.dst] = 1;
    for (const auto& d : prog.delays) prog.step_written[d.out] = 1;
    for (const auto& p : prog.previous) prog.step_written[p.out] = 1;
    prog.tables = std::move(tables_);
    for (const CVec& v : vecs_) {
        VectorOp op;
        op.kind = v.kind;
        for (int x : v.a) op.a.push_back(var(x).slot);
        for (int x : v.b) op.b.push_back(var(x).slot);
        op.p0 = v.p0 >= 0 ? var(v.p0).slot : 0;
        op.p1 = v.p1 >= 0 ? var(v.p1).slot : 0;
        op.k = v.k;
        prog.vector_ops.push_back(std::move(op));
    }
    // Names for the tape dump (sim/dump.hpp): hidden variables say whose they are.
    prog.slot_names.assign(prog.slots.size(), std::string());
    for (const auto& c : vars_)
        if (c.role != Role::lookup)
            prog.slot_names[c.slot] = c.hidden && c.owner >= 0 ? c.name + " (" + var(c.owner).name + ")" : c.name;
}

// Invariant after: prog.vars lists the user variables but lookups, in model
// order (an array as its elements, `x[a,b]`, the last dimension varying
// fastest), each settable iff a literal constant, auxiliary or flow;
// prog.index maps canonical names to them.
void Compiler::publish(Program& prog) {
    for (std::size_t i = 0; i < user_count_; ++i) {
        const CVar& c = vars_[i];
        if (c.role == Role::lookup) continue;
        bool settable = c.literal && (c.kind == VarKind::constant || c.kind == VarKind::aux || c.kind == VarKind::flow);
        prog.index.emplace(c.canonical, static_cast<std::uint32_t>(prog.vars.size()));
        prog.vars.push_back({c.name, c.canonical, c.kind, c.slot, settable, static_cast<std::uint32_t>(c.user),
                             c.definition});
    }
    std::vector<std::string> names;
    names.reserve(prog.vars.size());
    for (const auto& v : prog.vars) {
        prog.all_cols.push_back(v.slot);
        if (prog.step_written[v.slot]) prog.all_checked.push_back(v.slot);
        names.push_back(v.name);
    }
    prog.all_names = std::move(names);
}

// Invariant after: prog.lever_gates lists each lever of `levers` whose on and
// intensity settings are literal constants read by no equation (initial or
// per step, hidden variables and array functions included), no stock's flow
// list, no delay and no PREVIOUS except its own variable L_lever, built by
// lever_tree (levers.cpp). Anything else reading them would see them before
// the lever's start.
void Compiler::find_lever_gates(Program& prog, std::span<const std::string> levers) const {
    auto scalar = [&](const std::string& name) -> int {
        auto it = by_name_.find(canonical_name(name));
        if (it == by_name_.end()) return -1;
        const UVar& u = uv_[static_cast<std::size_t>(it->second)];
        return u.count == 1 && u.dims.empty() ? u.first : -1;
    };
    std::vector<int> refs;
    for (const std::string& l : levers) {
        const int on = scalar(l + "_on"), intensity = scalar(l + "_intensity"), start = scalar(l + "_start"),
                  lever = scalar(l + "_lever");
        if (on < 0 || intensity < 0 || start < 0 || lever < 0) continue;
        auto literal = [&](int v) {
            const CVar& c = vars_[static_cast<std::size_t>(v)];
            return c.literal && c.kind == VarKind::constant && !c.broken;
        };
        if (!literal(on) || !literal(intensity) || !literal(start)) continue;
        auto gated = [&](int v) { return v == on || v == intensity; };
        bool private_ = true;
        for (std::size_t i = 0; i < vars_.size() && private_; ++i) {
            const CVar& c = vars_[i];
            if (static_cast<int>(i) == lever) continue;
            refs.clear();
            collect_refs(c.init, refs);
            collect_refs(c.run, refs);
            refs.insert(refs.end(), c.inflows.begin(), c.inflows.end());
            refs.insert(refs.end(), c.outflows.begin(), c.outflows.end());
            if (c.net_flow >= 0) refs.push_back(c.net_flow);
            private_ = std::none_of(refs.begin(), refs.end(), gated);
        }
        for (const auto& d : delays_) private_ = private_ && !gated(d.out) && !gated(d.input) && !gated(d.delay_time);
        for (const auto& p : previous_) private_ = private_ && !gated(p.out) && !gated(p.input);
        if (!private_) continue;
        auto slot = [&](int v) { return vars_[static_cast<std::size_t>(v)].slot; };
        prog.lever_gates.push_back({slot(on), slot(intensity), slot(start), slot(lever)});
    }
}

}  // namespace sim::detail
