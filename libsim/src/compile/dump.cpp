// The tape dump (sim/dump.hpp). Instructions are written through the same
// descriptions the VM runs (decode_arith for arithmetic, op_info for the
// rest), once with slot numbers and once, as a comment, with names.
// (convert_codes: skip — `code` here is printed instruction text, not a diagnostic code.)
#include "sim/dump.hpp"

#include <algorithm>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "compile/program.hpp"
#include "util/text.hpp"

namespace sim {
namespace {

using detail::Instr;
using detail::Program;
using detail::Slot;

enum class SlotKind { fixed, variable, literal, temporary, hoisted, shared };

class Dumper {
public:
    Dumper(const Program& p, std::ostream& out)
        : p_(p), out_(out), kind_(p.slots.size(), SlotKind::literal), written_(p.slots.size(), 0) {
        for (Slot s = 0; s < detail::first_free_slot; ++s) kind_[s] = SlotKind::fixed;
        for (const auto* tape : {&p.initial_tape, &p.flow_tape})
            for (const auto& in : *tape) written_[in.dst] = 1;
        for (Slot s = detail::first_free_slot; s < p.slots.size(); ++s)
            if (!name(s).empty())
                kind_[s] = SlotKind::variable;
            else if (written_[s])
                kind_[s] = SlotKind::temporary;
        for (const auto& h : p.hoisted)
            if (kind_[h.dst] == SlotKind::temporary) kind_[h.dst] = SlotKind::hoisted;
        for (const auto& h : p.shared)
            if (kind_[h.dst] == SlotKind::temporary) kind_[h.dst] = SlotKind::shared;
    }

    void all() {
        out_ << "program '" << p_.spec.name << "': " << p_.slots.size() << " slots, " << p_.stock_count
             << " stocks, " << p_.initial_tape.size() << " initial and " << p_.flow_tape.size()
             << " flow instructions\n";
        slots();
        const auto split = p_.initial_tape.begin() + p_.hoist_begin;
        tape("initial tape", {p_.initial_tape.begin(), split});
        tape("once per run, hoisted from the flow tape (after the initial tape)", {split, p_.initial_tape.end()});
        tape("flow tape", p_.flow_tape);
        derivatives();
        tables();
        vectors();
        events();
    }

private:
    const Program& p_;
    std::ostream& out_;
    std::vector<SlotKind> kind_;
    std::vector<char> written_;  // by a tape; else the template's value is the slot's value
    std::vector<std::pair<std::string, std::string>> lines_;  // code, comment

    const std::string& name(Slot s) const {
        static const std::string none;
        return s < p_.slot_names.size() ? p_.slot_names[s] : none;
    }
    static std::string slot(Slot s) { return "s" + std::to_string(s); }
    // An operand as a person reads it: the variable, the literal's value, or
    // the slot (fixed slots by their builtin name, temporaries by number).
    std::string label(Slot s) const {
        static const char* const fixed[] = {"TIME", "DT", "STARTTIME", "STOPTIME"};
        switch (kind_[s]) {
            case SlotKind::fixed: return fixed[s];
            case SlotKind::variable: return name(s);
            case SlotKind::literal: return text::number(p_.slots[s]);
            default: return slot(s);
        }
    }

    template <class Name>
    static std::string rhs(const Instr& in, Name&& n) {
        std::string out;
        struct Sink {
            std::string& s;
            Sink& operator<<(const std::string& t) { return s += t, *this; }
        } sink{out};
        if (detail::write_arith(sink, in, n)) return out;
        const detail::OpInfo info = detail::op_info(in.op);
        const Slot ops[] = {in.a, in.b, in.c};
        switch (info.form) {
            case detail::Form::value: return n(in.a);
            case detail::Form::prefix: return info.text + n(in.a);
            case detail::Form::infix: return n(in.a) + " " + info.text + " " + n(in.b);
            case detail::Form::lookup: return "lookup(t" + std::to_string(in.b) + ", " + n(in.a) + ")";
            case detail::Form::vector: return "v" + std::to_string(in.b) + "()";
            default: break;
        }
        out = std::string(info.text) + "(";
        for (int i = 0; i < info.arity; ++i) out += (i ? ", " : "") + n(ops[i]);
        return out + ")";
    }

    void line(std::string code, std::string comment) { lines_.emplace_back(std::move(code), std::move(comment)); }
    // The collected lines, comments aligned after `sep`.
    void flush(const char* title, const char* sep = "  # ") {
        if (lines_.empty()) return;
        std::size_t width = 0;
        for (const auto& l : lines_) width = std::max(width, l.first.size());
        out_ << "\n" << title << "\n";
        for (const auto& [code, comment] : lines_) {
            out_ << "  " << code;
            if (!comment.empty()) out_ << std::string(width - code.size(), ' ') << sep << comment;
            out_ << "\n";
        }
        lines_.clear();
    }

    std::string describe(Slot s) const {
        const bool stock = s >= p_.stock_begin && s < p_.stock_begin + p_.stock_count;
        const bool nonneg = stock && std::find(p_.nonneg_stocks.begin(), p_.nonneg_stocks.end(),
                                               s - p_.stock_begin) != p_.nonneg_stocks.end();
        std::string what;
        switch (kind_[s]) {
            case SlotKind::fixed: return label(s);
            case SlotKind::literal: return "literal " + text::number(p_.slots[s]);
            case SlotKind::temporary: return "temporary";
            case SlotKind::hoisted: return "computed once per run (hoisted)";
            case SlotKind::shared: return "shared sub-expression (computed once a step)";
            case SlotKind::variable: break;
        }
        const detail::VarInfo* v = p_.find(name(s));
        if (v && v->slot == s) {
            what = name(s) + ": " + to_string(v->kind);
            if (v->settable) what += " = " + text::number(p_.slots[s]);
        } else {
            what = name(s) + ": hidden" + (stock ? " stock" : "");
            if (!stock && !written_[s]) what += " = " + text::number(p_.slots[s]);
        }
        return nonneg ? what + " (non-negative)" : what;
    }

    void slots() {
        for (Slot s = 0; s < p_.slots.size(); ++s) line(slot(s), describe(s));
        flush("slots", "  ");
    }

    void tape(const char* title, std::span<const Instr> t) {
        auto num = [](Slot s) { return slot(s); };
        auto lab = [this](Slot s) { return label(s); };
        for (const auto& in : t) line(slot(in.dst) + " = " + rhs(in, num), label(in.dst) + " = " + rhs(in, lab));
        flush(title);
    }

    void derivatives() {
        const Slot* fs = p_.flow_slots.data();
        // In stock order (stock_flows puts the stocks with outflows only last).
        std::vector<Program::StockFlows> groups = p_.stock_flows;
        std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.stock < b.stock; });
        for (const auto& g : groups) {
            std::string code, comment;
            for (auto j = g.in_begin; j < g.end; ++j) {
                const char* sign = j < g.out_begin ? (j == g.in_begin ? "" : " + ") : (j == g.in_begin ? "-" : " - ");
                code += sign + slot(fs[j]);
                comment += sign + label(fs[j]);
            }
            const Slot st = p_.stock_begin + g.stock;
            line("d/dt " + slot(st) + " = " + code, "d/dt " + label(st) + " = " + comment);
        }
        flush("stock derivatives");
    }

    void tables() {
        for (std::size_t i = 0; i < p_.tables.size(); ++i) {
            const auto& t = p_.tables[i];
            std::string points;
            for (std::size_t j = 0; j < t.x.size(); ++j)
                points += (j ? " (" : "(") + text::number(t.x[j]) + ", " + text::number(t.y[j]) + ")";
            line("t" + std::to_string(i) + " " + to_string(t.kind) + ": " + points, "");
        }
        flush("tables");
    }

    // The vector functions Code::vector instructions compute (element k of each).
    void vectors() {
        for (std::size_t i = 0; i < p_.vector_ops.size(); ++i) {
            const auto& op = p_.vector_ops[i];
            auto list = [&](const std::vector<Slot>& l, auto&& f) {
                std::string r = "[";
                for (std::size_t j = 0; j < l.size(); ++j) r += (j ? ", " : "") + f(l[j]);
                return r + "]";
            };
            auto num = [](Slot s) { return slot(s); };
            auto lab = [this](Slot s) { return label(s); };
            auto text = [&](auto&& f) {
                std::string r = std::string(detail::to_string(op.kind)) + " " + list(op.a, f);
                if (!op.b.empty()) r += " " + list(op.b, f);
                return r + " " + f(op.p0) + " " + f(op.p1) + " element " + std::to_string(op.k);
            };
            line("v" + std::to_string(i) + " " + text(num), text(lab));
        }
        flush("vector functions");
    }

    // Discrete events: applied at accepted grid points before the flow tape.
    void events() {
        for (const auto& d : p_.delays)
            line(slot(d.out) + " = delay(" + slot(d.input) + ", " + slot(d.delay_time) + ")",
                 label(d.out) + " = " + label(d.input) + " at TIME - " + label(d.delay_time));
        flush("fixed delays");
        for (const auto& pr : p_.previous)
            line(slot(pr.out) + " = previous(" + slot(pr.input) + ")",
                 label(pr.out) + " = " + label(pr.input) + " at the last accepted step");
        flush("previous");
    }
};

}  // namespace

void dump_program(const Model& model, std::ostream& out) { Dumper(detail::program_of(model), out).all(); }

}  // namespace sim
