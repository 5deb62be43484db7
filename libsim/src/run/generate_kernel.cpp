// The code generator's kernel (generate_detail.hpp): a Program written out
// as C++ functions over its slot vector, a sim::Kernel (sim/kernel.hpp).
//
// Every instruction is written from the instruction set's one description:
// arithmetic from decode_arith (write_arith: the same operations in the same
// grouping), every other code as a call of the sim/ops.hpp function that
// op_info names (the function `apply` calls for the interpreter), lookups
// through sim::ops::lookup over the tables written as arrays, the vector
// functions through sim::ops::vector_value (sim/ops_vector.hpp, the VM's
// too) over their calls written as arrays. The Euler
// loop does, statement for statement, what run/steppers.hpp's drivers and
// run/observers.hpp's grid-point observer do, in the same order, so that
// results are the interpreter's bit for bit.
//
// Two shapes: a model of up to max_local_slots slots gets an Euler loop in
// which every slot is a local variable (the C++ compiler keeps the state in
// registers; literal-pool slots are constants); a larger one works on the
// slot vector through functions of at most function_size statements, so
// that no function is too large for the C++ compiler. The initial and flow
// functions (used for the initial values and by the Runge-Kutta methods)
// always work on the slot vector.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "compile/program.hpp"
#include "run/generate_detail.hpp"
#include "sim/kernel.hpp"
#include "sim/ops.hpp"

// sim::lanes::lookup (sim/kernel.hpp) takes these kinds by value.
static_assert(sim::ops::lookup_continuous == 0 && sim::ops::lookup_extrapolate == 1 &&
                  sim::ops::lookup_discrete == 2,
              "sim::lanes::lookup's table kinds");

namespace sim::detail {

// One line of a comment: no newlines, no "*/" issues (line comments only).
std::string comment_text(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    if (s.size() > 100) s = s.substr(0, 97) + "...";
    return s;
}

namespace {

// A double as a C++ expression with exactly its bits.
std::string literal(double v) {
    if (std::isfinite(v)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%a", v);
        return buf;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "std::bit_cast<double>(0x%016llxull)",
                  static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(v)));
    return buf;
}

// A C++ string literal holding `text` exactly.
std::string string_literal(const std::string& text) {
    bool raw_ok = text.find('\0') == std::string::npos;
    std::string delim = "simsrc";
    for (int i = 0; raw_ok && text.find(")" + delim + "\"") != std::string::npos; ++i) delim = "simsrc" + std::to_string(i);
    if (raw_ok) return "R\"" + delim + "(" + text + ")" + delim + "\"";
    std::string out = "\"";
    char buf[8];
    for (unsigned char c : text) {
        std::snprintf(buf, sizeof buf, "\\%03o", c);
        out += buf;
    }
    return out + "\"";
}

class Generator {
public:
    Generator(const Program& p, const GenerateOptions& o) : p_(p) {
        locals_ = p.slots.size() <= o.max_local_slots;
        chunk_ = o.function_size > 0 ? o.function_size : 1;
        flow_written_.assign(p.slots.size(), 0);
        for (const auto& in : p.flow_tape) flow_written_[in.dst] = 1;
        stock_in_.resize(p.stock_count);
        stock_out_.resize(p.stock_count);
        for (const auto& t : p.inflow_terms) stock_in_[t.stock].push_back(t.flow);
        for (const auto& t : p.outflow_terms) stock_out_[t.stock].push_back(t.flow);
    }

    bool locals() const { return locals_; }
    std::size_t functions() const { return functions_; }

    // The kernel: constants, tables, the functions, the Kernel object named
    // `kernel_var` (file-local).
    std::string kernel(const std::string& kernel_var, const std::string& source_text,
                       const std::string& source_path, const std::string& fingerprint) {
        std::ostringstream os;
        os << "namespace {\n\n";
        constants(os);
        tables(os);
        vectors(os);
        tape_function(os, "initial", p_.initial_tape);
        flow_segments_ = tape_function(os, "flows", p_.flow_tape);
        if (locals_)
            euler_locals(os);
        else
            euler_memory(os);
        const bool lanes = lanes_possible();
        if (lanes) euler_lanes(os);
        os << "constexpr char source_text[] = " << string_literal(source_text) << ";\n"
           << "constexpr char source_path[] = " << string_literal(source_path) << ";\n"
           << "constexpr char model_name[] = " << string_literal(p_.spec.name) << ";\n\n"
           << "const sim::Kernel " << kernel_var << " = {\n"
           << "    " << kernel_abi_version << ",\n"
           << "    \"" << fingerprint << "\",\n"
           << "    model_name,\n    source_text,\n    source_path,\n"
           << "    " << p_.slots.size() << "ul,\n"
           << "    &initial,\n    &flows,\n    &euler,\n"
           << (lanes ? "#ifdef SIM_KERNEL_LANES\n    &euler_lanes,\n#else\n    nullptr,\n#endif\n" : "    nullptr,\n")
           << "};\n\n"
           << "}  // namespace\n";
        return os.str();
    }

private:
    const Program& p_;
    bool locals_ = false;
    std::size_t chunk_ = 1;
    std::size_t functions_ = 0;
    std::vector<char> flow_written_;
    std::vector<std::vector<Slot>> stock_in_, stock_out_;
    std::vector<std::string> flow_segments_;

    bool pool(Slot s) const { return s >= p_.pool_begin && s < p_.temp_begin; }
    bool fixed(Slot s) const { return s < detail::first_free_slot; }
    static std::string c(Slot s) { return "c" + std::to_string(s); }

    // A slot as an operand: the slot vector, or a local.
    std::string mem(Slot s) const { return pool(s) ? c(s) : "s[" + std::to_string(s) + "]"; }
    std::string loc(Slot s) const {
        if (s == detail::slot_time) return "t";
        return pool(s) ? c(s) : "v" + std::to_string(s);
    }
    // In euler_lanes: a slot's value in lane `l` (a double).
    std::string lane(Slot s, int l) const {
        if (s == detail::slot_time || pool(s)) return loc(s);
        return loc(s) + "[" + std::to_string(l) + "]";
    }

    void constants(std::ostream& os) {
        for (Slot s = p_.pool_begin; s < p_.temp_begin; ++s)
            os << "constexpr double " << c(s) << " = " << literal(p_.slots[s]) << ";\n";
        os << "\n";
    }

    void tables(std::ostream& os) {
        for (std::size_t i = 0; i < p_.tables.size(); ++i) {
            const auto& t = p_.tables[i];
            for (const auto* v : {&t.x, &t.y}) {
                os << "constexpr double t" << i << (v == &t.x ? "x" : "y") << "[] = {";
                for (std::size_t j = 0; j < v->size(); ++j) os << (j ? ", " : "") << literal((*v)[j]);
                os << "};\n";
            }
        }
        if (!p_.tables.empty()) os << "\n";
    }

    // The vector functions' calls (Program::vector_ops) as sim::ops::VectorCall
    // values, `vop[i]`, over arrays of their input slots (one array per
    // distinct list: the elements of one call share theirs).
    void vectors(std::ostream& os) {
        if (p_.vector_ops.empty()) return;
        std::map<std::vector<Slot>, std::string> lists;
        auto list = [&](const std::vector<Slot>& l) -> std::string {
            if (l.empty()) return "nullptr";
            auto [it, added] = lists.emplace(l, "vl" + std::to_string(lists.size()));
            if (added) {
                os << "constexpr std::uint32_t " << it->second << "[] = {";
                for (std::size_t j = 0; j < l.size(); ++j) os << (j ? ", " : "") << l[j];
                os << "};\n";
            }
            return it->second;
        };
        std::vector<std::string> calls;
        for (const auto& v : p_.vector_ops) {
            const std::string a = list(v.a), b = list(v.b);
            calls.push_back("{static_cast<sim::ops::VectorKind>(" + std::to_string(static_cast<int>(v.kind)) + "), " + a +
                            ", " + std::to_string(v.a.size()) + "ul, " + b + ", " + std::to_string(v.b.size()) + "ul, " +
                            std::to_string(v.p0) + "u, " + std::to_string(v.p1) + "u, " + std::to_string(v.k) + "u}");
        }
        os << "constexpr sim::ops::VectorCall vop[] = {\n";
        for (const auto& c : calls) os << "    " << c << ",\n";
        os << "};\n\n";
    }

    // `dst = op(...)` with operands named by `name`; `T` and `DT` name TIME
    // and DT. Exhaustive over the instruction set's forms.
    template <class Name>
    std::string statement(const Instr& in, Name&& name, const std::string& T, const std::string& DT) const {
        std::ostringstream rhs;
        if (!detail::write_arith(rhs, in, name)) {
            const detail::OpInfo info = detail::op_info(in.op);
            const Slot args[] = {in.a, in.b, in.c};
            switch (info.form) {
                case detail::Form::value: rhs << name(in.a); break;
                case detail::Form::lookup: {
                    const auto& t = p_.tables[in.b];
                    rhs << "sim::ops::lookup(" << static_cast<int>(t.kind) << ", t" << in.b << "x, t" << in.b << "y, "
                        << t.x.size() << ", " << name(in.a) << ")";
                    break;
                }
                case detail::Form::prefix:
                case detail::Form::infix:
                case detail::Form::call:
                    rhs << "sim::ops::" << info.fn << "(";
                    for (int i = 0; i < info.arity; ++i) rhs << (i ? ", " : "") << name(args[i]);
                    if (info.timed) rhs << ", " << T << ", " << DT;
                    rhs << ")";
                    break;
                case detail::Form::arith: break;  // written by write_arith
                // Reads its inputs from the slot vector `s` (the Euler loop
                // with locals stores them there first: vector_inputs).
                case detail::Form::vector: rhs << "sim::ops::vector_value(vop[" << in.b << "], s)"; break;
            }
        }
        return name(in.dst) + " = " + rhs.str() + ";";
    }

    std::string comment(Slot dst) const {
        return dst < p_.slot_names.size() && !p_.slot_names[dst].empty() ? "  // " + comment_text(p_.slot_names[dst])
                                                                          : "";
    }

    // A tape as functions over the slot vector, at most chunk_ statements
    // each, and `name(s)` calling them in order. Returns the segments' names.
    std::vector<std::string> tape_function(std::ostream& os, const std::string& name, const std::vector<Instr>& tape) {
        auto m = [this](Slot s) { return mem(s); };
        std::vector<std::string> segs;
        for (std::size_t begin = 0; begin < tape.size() || segs.empty(); begin += chunk_) {
            const std::string seg = name + "_" + std::to_string(segs.size());
            segs.push_back(seg);
            ++functions_;
            os << "inline void " << seg << "(double* __restrict s) {\n";
            if (tape.empty()) os << "    (void)s;\n";
            for (std::size_t i = begin; i < tape.size() && i < begin + chunk_; ++i)
                os << "    " << statement(tape[i], m, "s[0]", "s[1]") << comment(tape[i].dst) << "\n";
            os << "}\n\n";
            if (tape.empty()) break;
        }
        os << "void " << name << "(double* s) {\n";
        for (const auto& seg : segs) os << "    " << seg << "(s);\n";
        os << "}\n\n";
        return segs;
    }

    // --- Euler, shared by both shapes. `N` names a slot, `X(i)` the next
    // value of stock i (non-negative models), `F` a flow slot.

    // The stock update of a model without non-negative stocks
    // (drive_euler): each stock with flows, net = in... - out... from the
    // first term on, as drive_euler sums it. A single flow is written
    // without `net`: x + dt * f, and x - dt * f for an outflow, which is
    // x + dt * (-f) bit for bit (negation is exact and rounding symmetric).
    template <class Name>
    std::vector<std::string> plain_update(Name&& N, const std::string& real = "double") const {
        std::vector<std::string> out;
        const Slot* fs = p_.flow_slots.data();
        for (const auto& g : p_.stock_flows) {
            const std::string x = N(p_.stock_begin + g.stock);
            const bool in_first = g.in_begin < g.out_begin;
            if (g.end - g.in_begin == 1) {
                out.push_back(x + " = " + x + (in_first ? " + " : " - ") + "dt * " + N(fs[g.in_begin]) + ";");
                continue;
            }
            std::string st = "{ " + real + " net = " + std::string(in_first ? "" : "-") + N(fs[g.in_begin]) + ";";
            for (auto j = g.in_begin + 1; j < g.out_begin; ++j) st += " net += " + N(fs[j]) + ";";
            for (auto j = g.out_begin + (in_first ? 0 : 1); j < g.end; ++j) st += " net -= " + N(fs[j]) + ";";
            st += " " + x + " = " + x + " + dt * net; }";
            out.push_back(st);
        }
        return out;
    }

    // Non-negative stocks (drive_euler_nonneg): every next value from the
    // derivatives, outflows limited (limit_outflows, statement for
    // statement), clamped, stored.
    // With `lanes` (euler_lanes): V4 values, each limit taken lane by lane
    // (in double, statement for statement) in the lanes that need one.
    template <class Name, class Next>
    std::vector<std::string> nonneg_update(Name&& N, Next&& X, bool declare, bool lanes = false) const {
        std::vector<std::string> out;
        const std::string real = lanes ? "V4" : "double";
        for (std::uint32_t i = 0; i < p_.stock_count; ++i) {
            std::string st = "{ " + real + " d = 0;";
            for (Slot f : stock_in_[i]) st += " d += " + N(f) + ";";
            for (Slot f : stock_out_[i]) st += " d -= " + N(f) + ";";
            st += std::string(" ") + (declare ? "const double nx = " : X(i) + " = ") + N(p_.stock_begin + i) +
                  " + dt * d;";
            if (declare) st += " " + X(i) + " = nx;";
            st += " }";
            out.push_back(st);
        }
        if (lanes) {
            auto Y = [](std::uint32_t i) { return "y" + std::to_string(i); };
            for (auto i : p_.nonneg_stocks) {
                const std::vector<std::uint32_t> w = limit_writes(i);
                std::string st = "if (sim::lanes::any_negative(" + X(i) + ")) {";
                for (int l = 0; l < kernel_lanes; ++l) {
                    const std::string ls = std::to_string(l);
                    auto L = [this, l](Slot s) { return lane(s, l); };
                    st += " {";
                    for (auto j : w) st += " double " + Y(j) + " = " + X(j) + "[" + ls + "];";
                    st += " " + limit(i, L, Y);
                    for (auto j : w) st += " " + X(j) + ".set(" + ls + ", " + Y(j) + ");";
                    st += " }";
                }
                out.push_back(st + " }");
            }
        } else {
            for (auto i : p_.nonneg_stocks) out.push_back(limit(i, N, X));
        }
        for (auto i : p_.nonneg_stocks)
            out.push_back(X(i) + " = sim::" + (lanes ? "lanes" : "ops") + "::nonneg(" + X(i) + ");");
        for (std::uint32_t i = 0; i < p_.stock_count; ++i) out.push_back(N(p_.stock_begin + i) + " = " + X(i) + ";");
        return out;
    }

    // The outflows of a non-negative stock i whose next value X(i) is
    // negative, limited (limit_outflows, statement for statement).
    template <class Name, class Next>
    std::string limit(std::uint32_t i, Name&& N, Next&& X) const {
        std::string st = "if (" + X(i) + " < 0) { double out = 0;";  // a NaN stays (limit_outflows)
        for (Slot f : stock_out_[i]) st += " out += dt * std::max(0.0, " + N(f) + ");";
        st += " if (out > 0) { const double withheld = std::min(1.0, -" + X(i) + " / out);";
        for (Slot f : stock_out_[i]) {
            std::string inner;
            for (const auto& u : p_.inflow_terms)
                if (u.flow == f && u.stock != i) inner += " " + X(u.stock) + " -= dt * " + N(f) + " * withheld;";
            if (!inner.empty()) st += " if (!(" + N(f) + " <= 0)) {" + inner + " }";
        }
        st += " } " + X(i) + " = 0; }";
        return st;
    }
    // The stocks limit(i) writes: i and the stocks its outflows flow into.
    std::vector<std::uint32_t> limit_writes(std::uint32_t i) const {
        std::vector<std::uint32_t> w{i};
        for (Slot f : stock_out_[i])
            for (const auto& u : p_.inflow_terms)
                if (u.flow == f && u.stock != i && std::find(w.begin(), w.end(), u.stock) == w.end())
                    w.push_back(u.stock);
        return w;
    }

    // bad += (x * 0.0 + ...) over the non-negative stocks, as a balanced sum.
    template <class Name>
    std::string nonneg_check(Name&& N) const {
        std::vector<std::string> terms;
        for (auto i : p_.nonneg_stocks) terms.push_back(N(p_.stock_begin + i) + " * 0.0");
        return balanced_check(std::move(terms));
    }
    // bad += (a + b) + ... over `terms` (x * 0.0 each), or "" if none.
    static std::string balanced_check(std::vector<std::string> terms) {
        if (terms.empty()) return "";
        while (terms.size() > 1) {
            std::vector<std::string> next;
            for (std::size_t j = 0; j + 1 < terms.size(); j += 2) next.push_back("(" + terms[j] + " + " + terms[j + 1] + ")");
            if (terms.size() % 2) next.push_back(terms.back());
            terms = std::move(next);
        }
        return "bad += " + terms[0] + ";";
    }

    // Events before the flow tape at a grid point (Events::before, without
    // the clamping Euler does in the step).
    template <class Name>
    std::vector<std::string> events_before(Name&& N) const {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < p_.previous.size(); ++i)
            out.push_back(N(p_.previous[i].out) + " = latch[" + std::to_string(i) + "];");
        for (std::size_t i = 0; i < p_.delays.size(); ++i) {
            const auto& d = p_.delays[i];
            // A negative delay time stops the run here, as Events::before
            // does; the host reports it (KernelRun::failed_delay).
            out.push_back("if (" + N(d.delay_time) + " < 0) { r.failed_delay = " + std::to_string(i + 1) + "ul; break; }");
            out.push_back(N(d.out) + " = sim::ops::delay_output(history[" + std::to_string(i) + "], rec, t, start, dt, " +
                          N(d.delay_time) + ", delay_initial[" + std::to_string(i) + "]);");
        }
        return out;
    }
    template <class Name>
    std::vector<std::string> events_after(Name&& N) const {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < p_.previous.size(); ++i)
            out.push_back("latch[" + std::to_string(i) + "] = " + N(p_.previous[i].input) + ";");
        for (std::size_t i = 0; i < p_.delays.size(); ++i)
            out.push_back("history[" + std::to_string(i) + "][rec] = " + N(p_.delays[i].input) + ";");
        if (!p_.delays.empty()) out.push_back("++rec;");
        return out;
    }

    void euler_prologue(std::ostream& os) const {
        os << "void euler(sim::KernelRun& r) {\n"
           << "    double* const __restrict s = r.s;\n"
           << "    const double start = r.start, dt = r.dt;\n"
           << "    const long save_every = r.save_every;\n"
           << "    long until = r.until;\n"
           << "    double* __restrict out_t = r.out_t;\n"
           << "    double* __restrict out_v = r.out_v;\n"
           << "    double* const __restrict latch = r.latch;\n"
           << "    double* const* const history = r.history;\n"
           << "    const double* const delay_initial = r.delay_initial;\n"
           << "    unsigned long rec = r.recorded;\n"
           << "    double bad = r.bad;\n"
           << "    const bool all_columns = r.all_columns != 0;\n"
           << "    const unsigned* const cols = r.cols;\n"
           << "    const unsigned long ncols = r.ncols;\n"
           << "    const long k_begin = r.k_begin, k_end = r.k_end;\n"
           << "    (void)latch; (void)history; (void)delay_initial; (void)start;\n";
    }
    void euler_epilogue(std::ostream& os) const {
        os << "    r.until = until;\n    r.out_t = out_t;\n    r.out_v = out_v;\n"
           << "    r.recorded = rec;\n    r.bad = bad;\n}\n\n";
    }

    // Slots a step writes (stocks, the flow tape, event outputs): stored
    // back at the end; the rest are read only.
    std::vector<char> step_mutable() const {
        std::vector<char> mut(p_.step_written.begin(), p_.step_written.end());
        for (Slot s = p_.stock_begin; s < p_.stock_begin + p_.stock_count; ++s) mut[s] = 1;
        return mut;
    }

    // The Euler loop's locals (every slot outside the literal pool, from
    // `load(slot)`; const unless a step writes it), the next values of a
    // model with non-negative stocks, the loop's head and each step's stock
    // update with its check; in double, or in V4 (`lanes`, euler_lanes).
    template <class Load>
    void loop_head(std::ostream& os, const std::vector<char>& mut, bool lanes, Load&& load) const {
        auto N = [this](Slot s) { return loc(s); };
        auto X = [](std::uint32_t i) { return "x" + std::to_string(i); };
        const std::string real = lanes ? "V4" : "double";
        for (Slot s = 1; s < p_.slots.size(); ++s) {
            if (pool(s)) continue;
            os << "    " << (mut[s] ? "" : "const ") << real << " " << loc(s) << " = " << load(s) << ";\n";
        }
        if (!p_.nonneg_stocks.empty())
            for (std::uint32_t i = 0; i < p_.stock_count; ++i) os << "    " << real << " " << X(i) << ";\n";
        os << "    for (long k = k_begin; k < k_end; ++k) {\n";
        const std::vector<std::string> update =
            p_.nonneg_stocks.empty() ? plain_update(N, real) : nonneg_update(N, X, false, lanes);
        for (const auto& st : update) os << "        " << st << "\n";
        if (const std::string chk = nonneg_check(N); !chk.empty()) os << "        " << chk << "\n";
    }

    // Every slot a local; literal-pool slots are constants.
    void euler_locals(std::ostream& os) {
        ++functions_;
        auto N = [this](Slot s) { return loc(s); };
        euler_prologue(os);
        os << "    double t = s[0];\n";
        const std::vector<char> mut = step_mutable();
        loop_head(os, mut, false, [](Slot s) { return "s[" + std::to_string(s) + "]"; });
        os << "        t = start + static_cast<double>(k) * dt;\n";
        for (const auto& st : events_before(N)) os << "        " << st << "\n";
        // A vector function reads its inputs from the slot vector: the
        // locals it reads that a step changes are stored there first, once
        // until they change again.
        std::vector<char> stored(p_.slots.size(), 0);
        for (const auto& in : p_.flow_tape) {
            if (in.op == Code::vector) {
                const auto& v = p_.vector_ops[in.b];
                auto store = [&](Slot x) {
                    if ((x != detail::slot_time && !mut[x]) || stored[x]) return;
                    stored[x] = 1;
                    os << "        s[" << x << "] = " << loc(x) << ";\n";
                };
                for (Slot x : v.a) store(x);
                for (Slot x : v.b) store(x);
                store(v.p0);
                store(v.p1);
            }
            os << "        " << statement(in, N, "t", loc(detail::slot_dt)) << comment(in.dst) << "\n";
            stored[in.dst] = 0;
        }
        for (const auto& st : events_after(N)) os << "        " << st << "\n";
        os << "        if (--until == 0) {\n"
           << "            until = save_every;\n"
           << "            *out_t++ = t;\n"
           << "            if (all_columns) {\n";
        // What is saved is checked as it is saved (KernelRun::bad), the
        // columns a step changes only: the others were checked in row 0.
        std::vector<std::string> terms;
        for (std::size_t j = 0; j < p_.vars.size(); ++j) {
            os << "                out_v[" << j << "] = " << loc(p_.vars[j].slot) << ";\n";
            if (mut[p_.vars[j].slot]) terms.push_back(loc(p_.vars[j].slot) + " * 0.0");
        }
        if (const std::string chk = balanced_check(std::move(terms)); !chk.empty())
            os << "                " << chk << "\n";
        os << "                out_v += " << p_.vars.size() << ";\n"
           << "            } else {\n";
        // The saved columns are user variables: store those a step changes.
        for (const auto& v : p_.vars)
            if (mut[v.slot]) os << "                s[" << v.slot << "] = " << loc(v.slot) << ";\n";
        os << "                out_v = sim::save_columns(out_v, s, cols, ncols, bad);\n"
           << "            }\n"
           << "        }\n"
           << "    }\n"
           << "    s[0] = t;\n";
        for (Slot s = 1; s < p_.slots.size(); ++s)
            if (mut[s] && !pool(s)) os << "    s[" << s << "] = " << loc(s) << ";\n";
        euler_epilogue(os);
    }

    // Kernel::euler_lanes (sim/kernel.hpp): models in the local-variable
    // shape without PREVIOUS, fixed delays or vector functions.
    bool lanes_possible() const {
        return locals_ && p_.previous.empty() && p_.delays.empty() && p_.vector_ops.empty();
    }

    // An instruction of the flow tape in euler_lanes: arithmetic on V4 (the
    // same operations in the same grouping, so each lane gets the scalar's
    // bits), the sim::lanes functions where there is one, every other
    // operation the sim::ops function once per lane.
    std::string lane_statement(const Instr& in) const {
        auto N = [this](Slot s) { return loc(s); };
        const std::string dst = loc(in.dst);
        std::ostringstream rhs;
        if (detail::write_arith(rhs, in, N)) return dst + " = " + rhs.str() + ";";
        const detail::OpInfo info = detail::op_info(in.op);
        const Slot args[] = {in.a, in.b, in.c};
        switch (info.form) {
            case detail::Form::value: return dst + " = " + N(in.a) + ";";
            case detail::Form::lookup: {
                const auto& t = p_.tables[in.b];
                return dst + " = sim::lanes::lookup<sim::ops::lookup>(" + std::to_string(static_cast<int>(t.kind)) +
                       ", t" + std::to_string(in.b) + "x, t" + std::to_string(in.b) + "y, " +
                       std::to_string(t.x.size()) + ", " + N(in.a) + ");";
            }
            case detail::Form::prefix:
            case detail::Form::infix:
            case detail::Form::call: {
                static const char* const vectorised[] = {"neg", "eq", "ne",  "lt",  "le",    "gt",
                                                         "ge",  "select", "min", "max", "nonneg"};
                bool vec = false;
                for (const char* f : vectorised) vec = vec || (!info.timed && std::string(f) == info.fn);
                // pow: four lanes at once where that gives std::pow's bits,
                // sim::ops::pow for the other lanes (sim/kernel.hpp).
                const bool pow = !info.timed && std::string(info.fn) == "pow";
                std::string call =
                    vec   ? std::string("sim::lanes::") + info.fn
                    : pow ? std::string("sim::lanes::pow<sim::ops::pow>")
                          : std::string("sim::lanes::") + (info.timed ? "timed" : "map") +
                                std::to_string(info.arity) + "<sim::ops::" + info.fn + ">";
                call += "(";
                for (int i = 0; i < info.arity; ++i) call += (i ? ", " : "") + N(args[i]);
                if (info.timed) call += ", t, " + N(detail::slot_dt);
                return dst + " = " + call + ");";
            }
            case detail::Form::arith:
            case detail::Form::vector: break;  // written above; never in a model with lanes
        }
        return "#error unexpected instruction";
    }

    void euler_lanes(std::ostream& os) {
        ++functions_;
        auto N = [this](Slot s) { return loc(s); };
        // GCC: optimised at -O1 (about 40 % less compile time for the whole
        // source, the lanes function being most of it; no slower per run,
        // docs/performance.md).
        os << "#ifdef SIM_KERNEL_LANES\n"
           << "#if defined(__GNUC__) && !defined(__clang__)\n"
           << "__attribute__((optimize(\"O1\")))\n"
           << "#endif\n"
           << "void euler_lanes(sim::KernelLanesRun& r) {\n"
           << "    using sim::lanes::V4;\n"
           << "    constexpr int lanes = sim::kernel_lanes;\n"
           << "    static_assert(lanes == 4);\n"
           << "    double* const* const S = r.s;\n"
           << "    const double start = r.start, dt = r.dt;\n"
           << "    const long save_every = r.save_every;\n"
           << "    long until = r.until;\n"
           << "    double* out_t[lanes];\n"
           << "    double* out_v[lanes];\n"
           << "    for (int l = 0; l < lanes; ++l) {\n"
           << "        out_t[l] = r.out_t[l];\n"
           << "        out_v[l] = r.out_v[l];\n"
           << "    }\n"
           << "    V4 bad(r.bad[0], r.bad[1], r.bad[2], r.bad[3]);\n"
           << "    double bad_cols[lanes] = {0, 0, 0, 0};  // what save_columns sums\n"
           << "    const bool all_columns = r.all_columns != 0;\n"
           << "    const unsigned* const cols = r.cols;\n"
           << "    const unsigned long ncols = r.ncols;\n"
           << "    const long k_begin = r.k_begin, k_end = r.k_end;\n"
           << "    (void)start;\n"
           << "    double t = S[0][0];\n";
        const std::vector<char> mut = step_mutable();
        loop_head(os, mut, true, [](Slot s) { return "sim::lanes::load(S, " + std::to_string(s) + ")"; });
        os << "        t = start + static_cast<double>(k) * dt;\n";
        for (const auto& in : p_.flow_tape) os << "        " << lane_statement(in) << comment(in.dst) << "\n";
        os << "        if (--until == 0) {\n"
           << "            until = save_every;\n"
           << "            for (int l = 0; l < lanes; ++l) *out_t[l]++ = t;\n"
           << "            if (all_columns) {\n";
        std::vector<std::string> terms;
        for (std::size_t j = 0; j < p_.vars.size(); ++j) {
            os << "                sim::lanes::put(out_v, " << j << ", " << N(p_.vars[j].slot) << ");\n";
            if (mut[p_.vars[j].slot]) terms.push_back(loc(p_.vars[j].slot) + " * 0.0");
        }
        os << "                for (int l = 0; l < lanes; ++l) out_v[l] += " << p_.vars.size() << ";\n";
        if (const std::string chk = balanced_check(std::move(terms)); !chk.empty())
            os << "                " << chk << "\n";
        os << "            } else {\n";
        for (const auto& v : p_.vars)
            if (mut[v.slot]) os << "                sim::lanes::put(S, " << v.slot << ", " << loc(v.slot) << ");\n";
        os << "                for (int l = 0; l < lanes; ++l)\n"
           << "                    out_v[l] = sim::save_columns(out_v[l], S[l], cols, ncols, bad_cols[l]);\n"
           << "            }\n"
           << "        }\n"
           << "    }\n"
           << "    for (int l = 0; l < lanes; ++l) S[l][0] = t;\n";
        for (Slot s = 1; s < p_.slots.size(); ++s)
            if (mut[s] && !pool(s)) os << "    sim::lanes::put(S, " << s << ", " << loc(s) << ");\n";
        for (int l = 0; l < kernel_lanes; ++l)
            os << "    r.bad[" << l << "] = bad[" << l << "] + bad_cols[" << l << "];\n";
        os << "    for (int l = 0; l < lanes; ++l) {\n"
           << "        r.out_t[l] = out_t[l];\n"
           << "        r.out_v[l] = out_v[l];\n"
           << "    }\n"
           << "    r.until = until;\n"
           << "}\n"
           << "#endif\n\n";
    }

    // Large models: statements over the slot vector, split into functions.
    void euler_memory(std::ostream& os) {
        auto N = [this](Slot s) { return mem(s); };
        auto X = [](std::uint32_t i) { return "n[" + std::to_string(i) + "]"; };
        const std::vector<std::string> update =
            p_.nonneg_stocks.empty() ? plain_update(N) : nonneg_update(N, X, false);
        std::vector<std::string> step_fns;
        for (std::size_t begin = 0; begin < update.size(); begin += chunk_) {
            const std::string name = "step_" + std::to_string(step_fns.size());
            step_fns.push_back(name);
            ++functions_;
            os << "inline void " << name << "(double* __restrict s, double* __restrict n, double dt) {\n"
               << "    (void)n;\n";
            for (std::size_t i = begin; i < update.size() && i < begin + chunk_; ++i) os << "    " << update[i] << "\n";
            os << "}\n\n";
        }
        std::vector<Slot> saved;
        for (const auto& v : p_.vars) saved.push_back(v.slot);
        os << "constexpr unsigned all_column_slots[] = {";
        for (std::size_t j = 0; j < saved.size(); ++j) os << (j ? ", " : "") << saved[j];
        if (saved.empty()) os << "0";
        os << "};\n\n";
        ++functions_;
        euler_prologue(os);
        os << "    double* const __restrict n = r.scratch;\n"
           << "    double t = s[0];\n"
           << "    for (long k = k_begin; k < k_end; ++k) {\n";
        for (const auto& f : step_fns) os << "        " << f << "(s, n, dt);\n";
        if (const std::string chk = nonneg_check(N); !chk.empty()) os << "        " << chk << "\n";
        os << "        t = start + static_cast<double>(k) * dt;\n"
           << "        s[0] = t;\n";
        for (const auto& st : events_before(N)) os << "        " << st << "\n";
        for (const auto& seg : flow_segments_) os << "        " << seg << "(s);\n";
        for (const auto& st : events_after(N)) os << "        " << st << "\n";
        os << "        if (--until == 0) {\n"
           << "            until = save_every;\n"
           << "            *out_t++ = t;\n"
           << "            if (all_columns) {\n"
           << "                out_v = sim::save_columns(out_v, s, all_column_slots, " << p_.vars.size() << "ul, bad);\n"
           << "            } else {\n"
           << "                out_v = sim::save_columns(out_v, s, cols, ncols, bad);\n"
           << "            }\n"
           << "        }\n"
           << "    }\n"
           << "    s[0] = t;\n";
        euler_epilogue(os);
    }
};

}  // namespace

KernelCode kernel_code(const Program& p, const GenerateOptions& o, const std::string& kernel_var,
                       const std::string& source_text, const std::string& source_path, const std::string& fingerprint) {
    Generator gen(p, o);
    KernelCode k;
    k.text = gen.kernel(kernel_var, source_text, source_path, fingerprint);
    k.locals = gen.locals();
    k.functions = gen.functions();
    return k;
}

}  // namespace sim::detail
