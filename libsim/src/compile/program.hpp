// The compiled form of a model: register-style instruction tapes over one
// dense vector of doubles ("slots"; the instruction set is compile/opcode.hpp).
// Built by compile/ (compiler.hpp), run by run/ (prepare, vm, integrate,
// native), shown by dump.cpp. Immutable once built; every run works on its
// own slot copy. Private: the public API reaches it only through ModelAccess.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compile/opcode.hpp"
#include "compile/vector_ops.hpp"
#include "sim/diagnostic.hpp"
#include "sim/kernel.hpp"
#include "sim/model.hpp"
#include "sim/spec.hpp"

namespace sim::detail {

struct Table {
    LookupKind kind = LookupKind::continuous;
    std::vector<double> x, y;  // x strictly increasing, non-empty
};

double lookup(const Table& t, double x);

// A fixed pipeline delay: out(t) = input(t - delay), or its initial value
// while t - delay < start. Updated at accepted steps only.
struct FixedDelay {
    Slot out, input, delay_time;
};

// PREVIOUS(x): out = x at the previous accepted step.
struct Previous {
    Slot out, input;
};

// A user-visible variable.
struct VarInfo {
    std::string name;       // display name
    std::string canonical;
    VarKind kind;
    Slot slot;
    bool settable;          // a constant with a literal value (may be `set`)
    std::uint32_t variable = 0;  // its variable in Program::spec.variables (an array's, for an element)
    std::int32_t definition = -1;  // an element's ArrayDefinition, -1: the variable's own equation

    // The equation that computes it (for messages).
    const Equation& equation(const ModelSpec& spec) const {
        const Variable& v = spec.variables[variable];
        return definition >= 0 ? v.definitions[static_cast<std::size_t>(definition)].equation : v.equation;
    }
};

struct Program {
    // The spec after lever expansion, kept for specs() and run-time reports:
    // equations keep their text and position but not their trees (compiled).
    ModelSpec spec;
    std::vector<double> slots;  // template: fixed slots, literal values; rest 0
    Slot stock_begin = 0, stock_count = 0;  // stocks are slots [begin, begin+count)
    // The literal pool is [pool_begin, temp_begin): numbers no run changes
    // (generated code writes them as constants); temporaries follow.
    Slot pool_begin = 0, temp_begin = 0;
    std::vector<Instr> initial_tape;  // computes every initial value, then the hoisted values
    std::vector<Instr> flow_tape;     // flows and auxiliaries in dependency order
    // What the flow tape would compute to the same value at every step is
    // computed once per run instead, at the end of the initial tape
    // (compile/emit.cpp): initial_tape[hoist_begin, end). Each hoisted
    // computation, a whole auxiliary (dst its slot) or a sub-expression of a
    // flow-tape equation (dst a slot of its own, read by the flow tape), is
    // initial_tape[begin, end).
    struct Hoisted { Slot dst; std::uint32_t begin, end; };
    std::uint32_t hoist_begin = 0;
    std::vector<Hoisted> hoisted;
    // Sub-expressions the flow-tape equations need more than once a step,
    // computed at their first use into a slot of their own, flow_tape[begin,
    // end), and read after that (compile/emit.cpp).
    std::vector<Hoisted> shared;
    // Stock derivatives: d[stock] = sum(s[inflow]) - sum(s[outflow]).
    struct Term { std::uint32_t stock; Slot flow; };
    std::vector<Term> inflow_terms, outflow_terms;
    // The same grouped by stock, for Euler: stock_flows[i] lists the inflow
    // slots [in_begin, out_begin) then outflow slots [out_begin, end) in
    // flow_slots, so each stock is updated once per step (one store). The
    // stocks with an inflow come first, those with outflows only after them
    // (from stock_flows_in_first on): drive_euler starts each sum from its
    // first term and subtracts the latter's sum of outflows, without a
    // branch per stock.
    struct StockFlows { std::uint32_t stock, in_begin, out_begin, end; };
    std::vector<StockFlows> stock_flows;
    std::size_t stock_flows_in_first = 0;
    // Per slot: 1 if a step writes it other than as a stock: the flow tape's
    // destinations, PREVIOUS and fixed delay outputs (every driver checks
    // the stocks at each grid point; what no step writes cannot become non-
    // finite after the first saved row, which checks every column).
    std::vector<std::uint8_t> step_written;
    std::vector<Slot> flow_slots;
    std::vector<std::uint32_t> nonneg_stocks;  // stock indices
    std::vector<Table> tables;
    std::vector<VectorOp> vector_ops;  // read by Code::vector instructions
    std::vector<FixedDelay> delays;
    std::vector<Previous> previous;
    // Levers whose `_on` and `_intensity` settings nothing reads but the
    // lever's own variable L_lever = on * intensity * ramp (compile/levers.cpp;
    // found by Compiler::find_lever_gates). Before TIME reaches the lever's
    // start, that variable is exactly +0 whatever on and intensity are (when
    // they are finite and not negative, -0 included), so runs that differ only
    // in them are the same runs up to there (shared_steps, run/integrate.hpp).
    struct LeverGate { Slot on, intensity, start, lever; };
    std::vector<LeverGate> lever_gates;
    std::vector<VarInfo> vars;  // user-visible, model order
    // What a run saving every variable saves (RunPlan::cols, checked, names),
    // made once: their slots, those a step writes, and their names (shared).
    std::vector<Slot> all_cols, all_checked;
    Names all_names;
    // The columns of the last run that named its own (RunOptions::save),
    // for the next run with the same list (a model's runs usually save the
    // same columns): looking the names up again, and copying them into the
    // results, was ~3 % of a Chongqing run. A copy of the program starts
    // without one.
    struct ColumnCache {
        struct Entry {
            std::vector<std::string> save;
            std::vector<Slot> cols, checked;
            Names names;
        };
        std::shared_ptr<const Entry> get() const {
            std::lock_guard<std::mutex> lock(mu);
            return last;
        }
        void put(std::shared_ptr<const Entry> e) const {
            std::lock_guard<std::mutex> lock(mu);
            last = std::move(e);
        }
        ColumnCache() = default;
        ColumnCache(const ColumnCache&) {}
        ColumnCache& operator=(const ColumnCache&) { return *this; }

    private:
        mutable std::mutex mu;
        mutable std::shared_ptr<const Entry> last;
    };
    ColumnCache column_cache;
    // canonical -> vars[]; looked up by std::string_view without a copy.
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::uint32_t, NameHash, std::equal_to<>> index;
    // For the tape dump only: the variable (user or hidden) in each slot, ""
    // for fixed slots, literals and temporaries. Hidden variables are named
    // "#what#n (owner)".
    std::vector<std::string> slot_names;
    // Per stock (index from stock_begin): for a stock hidden inside an
    // SMTH/DELAY/TREND, the slot of the user variable whose equation made it
    // (for diagnostics); no_owner for the user's stocks.
    static constexpr Slot no_owner = ~Slot{0};
    std::vector<Slot> stock_owner;

    bool has_events() const { return !delays.empty() || !previous.empty() || !nonneg_stocks.empty(); }
    const VarInfo* find(std::string_view name) const;

    // Compiles `spec` (levers included); nullptr if any error was added.
    static std::shared_ptr<const Program> compile(const ModelSpec& spec, Diagnostics& diags);
};

// Generated code attached to a model (run/kernel.cpp): the kernel, checked
// against the program, and whatever must outlive it (a loaded library).
struct KernelLink {
    const Kernel* kernel = nullptr;
    std::shared_ptr<const void> keep;
};

// The one door from the public Model to its Program (tests, benchmarks,
// native mode and the dump use it; Model::program() is not public API).
struct ModelAccess {
    static const Program& program(const Model& m) { return *m.prog_; }
    static const std::shared_ptr<const Program>& shared(const Model& m) { return m.prog_; }
    static const KernelLink* kernel(const Model& m) { return m.kernel_.get(); }
    static Model make(std::shared_ptr<const Program> p, std::shared_ptr<const KernelLink> k = {}) {
        return Model(std::move(p), std::move(k));
    }
};
inline const Program& program_of(const Model& m) { return ModelAccess::program(m); }

// levers.cpp: the variables every lever of `spec` adds (see sim::Lever),
// their equations built as trees; expand_levers appends them to `spec`.
std::deque<Variable> lever_variables(const ModelSpec& spec, Diagnostics& diags);
void expand_levers(ModelSpec& spec, Diagnostics& diags);

}  // namespace sim::detail
