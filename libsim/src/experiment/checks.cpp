// Behaviour checks (see sim/checks.hpp, docs/checks.md).
//
// Each check's expression becomes an auxiliary of a copy of the model, with
// the expression's own position in the file, so the compiler parses and
// checks it like any equation (one language, one set of error messages) and
// the VM evaluates it at every step. One compiled model serves every check;
// the checks' overrides are run options.
#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <set>

#include "sim/expr.hpp"
#include "sim/checks.hpp"
#include "experiment/stock_columns.hpp"
#include "util/interpolate.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

using Kind = BehaviourCheck::Kind;

const char* op_text(BehaviourCheck::Baseline b) {
    switch (b) {
        case BehaviourCheck::Baseline::higher: return ">";
        case BehaviourCheck::Baseline::lower: return "<";
        case BehaviourCheck::Baseline::not_lower: return ">=";
        case BehaviourCheck::Baseline::not_higher: return "<=";
    }
    return "?";
}

bool holds(BehaviourCheck::Baseline b, double v, double base) {
    switch (b) {
        case BehaviourCheck::Baseline::higher: return v > base;
        case BehaviourCheck::Baseline::lower: return v < base;
        case BehaviourCheck::Baseline::not_lower: return v >= base;
        case BehaviourCheck::Baseline::not_higher: return v <= base;
    }
    return false;
}

// Model variables an expression names (for reporting their values), in
// order of first appearance; nothing if it does not parse (the compiler
// reports that).
std::vector<std::string> names_in(const std::string& text, const Model& m) {
    std::vector<ast::ParseError> errors;
    auto e = ast::parse(text, errors);
    std::vector<std::string> out;
    if (!e) return out;
    std::set<std::string> seen;
    // Nodes are stored children first; order them by position in the text.
    std::vector<const ast::Node*> nodes;
    for (const auto& n : e->nodes) nodes.push_back(&n);
    std::stable_sort(nodes.begin(), nodes.end(),
                     [](const ast::Node* a, const ast::Node* b) { return a->span.begin < b->span.begin; });
    for (const ast::Node* n : nodes)
        if (const auto* name = std::get_if<ast::Name>(&n->v))
            if (m.has_variable(name->text) && seen.insert(name->canonical).second) out.push_back(name->text);
    return out;
}

}  // namespace

std::size_t CheckReport::failed() const {
    return static_cast<std::size_t>(std::count_if(outcomes.begin(), outcomes.end(), [](const auto& o) { return !o.passed; }));
}

std::optional<CheckReport> run_checks(const ModelSpec& spec, const RunOptions& base, Diagnostics& diags) {
    // One hidden auxiliary per check expression, named so as not to clash.
    ModelSpec m = spec;
    std::set<std::string> taken;
    for (const auto& v : spec.variables) taken.insert(canonical_name(v.name));
    for (const auto& l : spec.levers)
        for (const char* suf : {"_on", "_intensity", "_start", "_phase_in", "_lever", "_cost"})
            taken.insert(canonical_name(l.name + suf));
    std::vector<std::string> aux(spec.checks.size());
    for (std::size_t i = 0; i < spec.checks.size(); ++i) {
        const BehaviourCheck& c = spec.checks[i];
        if (c.kind == Kind::stocks_non_negative) continue;
        std::string name = "check " + std::to_string(i + 1) + " expression";
        while (taken.count(canonical_name(name))) name += " x";
        taken.insert(canonical_name(name));
        aux[i] = name;
        Variable v;
        v.kind = VarKind::aux;
        v.name = name;
        v.loc = c.expression_loc;
        v.equation = Equation::parse(c.expression, c.expression_loc);
        v.doc = "behaviour check '" + c.name + "'";
        m.variables.push_back(std::move(v));
    }
    Diagnostics found;
    auto model = Model::compile(m, found);
    for (Diagnostic d : found.items()) {  // name the check, not the hidden auxiliary
        for (std::size_t i = 0; i < aux.size(); ++i)
            if (!aux[i].empty() && canonical_name(d.variable) == canonical_name(aux[i]))
                d.variable = "check '" + spec.checks[i].name + "'";
        diags.add(std::move(d));
    }
    if (!model) return std::nullopt;

    const SimSpecs specs = effective_specs(model->specs(), base);
    std::vector<std::string> stocks;
    for (const auto& v : spec.variables)
        if (v.kind == VarKind::stock) detail::append_stock_columns(*model, v.name, stocks);

    // The baseline run, if a check needs it: every baseline-kind expression.
    std::optional<Results> baseline;
    std::string baseline_error;
    {
        RunOptions o = base;
        o.save.clear();
        for (std::size_t i = 0; i < spec.checks.size(); ++i)
            if (spec.checks[i].kind == Kind::baseline) o.save.push_back(aux[i]);
        if (!o.save.empty()) {
            try {
                baseline = model->run(o);
            } catch (const Error& e) {
                baseline_error = e.diagnostics().items().empty() ? e.what() : e.diagnostics().items()[0].message;
            }
        }
    }

    const std::size_t errors_before = diags.error_count();
    CheckReport report;
    for (std::size_t i = 0; i < spec.checks.size(); ++i) {
        const BehaviourCheck& c = spec.checks[i];
        CheckOutcome out;
        out.name = c.name;
        out.loc = c.loc;
        RunOptions o = base;
        for (const auto& kv : c.set) o.set.push_back(kv);
        o.save.clear();
        std::vector<std::string> shown;  // variables reported besides the expression
        if (c.kind == Kind::stocks_non_negative) {
            o.save = stocks;
        } else {
            o.save.push_back(aux[i]);
            if (c.kind == Kind::expect) shown = names_in(c.expression, *model);
            for (const auto& s : shown) o.save.push_back(s);
        }
        if (o.save.empty()) {  // stocks_non_negative on a model without stocks
            out.passed = true;
            out.message = "the model has no stocks";
            report.outcomes.push_back(std::move(out));
            continue;
        }
        Results r;
        try {
            r = model->run(o);
        } catch (const Error& e) {
            const auto& items = e.diagnostics().items();
            out.message = "the run failed: " + (items.empty() ? std::string(e.what()) : items[0].message);
            report.outcomes.push_back(std::move(out));
            continue;
        }
        if (c.kind == Kind::baseline && !baseline) {
            out.message = "the baseline run failed: " + baseline_error;
            report.outcomes.push_back(std::move(out));
            continue;
        }

        // Rows to check.
        const double tol = 1e-9 * std::max({1.0, std::fabs(specs.start), std::fabs(specs.stop)});
        std::vector<std::size_t> rows;
        if (!c.at.empty()) {
            for (std::size_t a = 0; a < c.at.size(); ++a) {
                const double t = c.at[a];
                auto it = std::find_if(r.times.begin(), r.times.end(), [&](double x) { return std::fabs(x - t) <= tol; });
                if (it == r.times.end()) {
                    diags.error(sim::Code::E_CHECK_AT, a < c.at_loc.size() ? c.at_loc[a] : c.loc, c.name,
                                "time " + text::number(t) + " is not a saved time of the run (" +
                                    text::number(specs.start) + " to " + text::number(specs.stop) +
                                    "); use a time on the save step");
                    continue;
                }
                rows.push_back(static_cast<std::size_t>(it - r.times.begin()));
            }
        } else {
            for (std::size_t row = 0; row < r.rows(); ++row) {
                const double t = r.times[row];
                if (c.from && t < *c.from - tol) continue;
                if (c.to && t > *c.to + tol) continue;
                rows.push_back(row);
            }
        }

        std::vector<double> base_series;
        if (c.kind == Kind::baseline) base_series = baseline->series(aux[i]);
        out.passed = true;
        for (std::size_t row : rows) {
            const double t = r.times[row];
            if (c.kind == Kind::stocks_non_negative) {
                for (std::size_t s = 0; s < r.cols(); ++s) {
                    const double v = r.at(row, s);
                    if (!(v >= -c.tolerance)) {
                        out.passed = false;
                        out.time = t;
                        out.values = {{r.names[s], v}};
                        out.message = "stock '" + r.names[s] + "' is " + text::number(v) + " at time " + text::number(t);
                        break;
                    }
                }
            } else if (c.kind == Kind::expect) {
                const double v = r.at(row, 0);
                if (!(v != 0) || std::isnan(v)) {
                    out.passed = false;
                    out.time = t;
                    out.values.emplace_back(c.expression, v);
                    std::string vals;
                    for (std::size_t s = 0; s < shown.size(); ++s) {
                        out.values.emplace_back(r.names[s + 1], r.at(row, s + 1));
                        vals += (s ? ", " : " (") + r.names[s + 1] + " = " + text::number(r.at(row, s + 1));
                    }
                    out.message = "'" + c.expression + "' is false at time " + text::number(t) + (vals.empty() ? "" : vals + ")");
                }
            } else {
                const double v = r.at(row, 0);
                // The baseline saved the same times; between rows, linear.
                const double b = detail::interpolate(baseline->times, t, [&](std::size_t k) { return base_series[k]; })
                                     .value_or(std::numeric_limits<double>::quiet_NaN());
                if (!holds(c.baseline, v, b)) {
                    out.passed = false;
                    out.time = t;
                    out.values = {{c.expression, v}, {"baseline", b}};
                    out.message = "'" + c.expression + "' is " + text::number(v) + " at time " + text::number(t) +
                                  ", not " + op_text(c.baseline) + " its baseline " + text::number(b);
                }
            }
            if (!out.passed) break;
        }
        if (out.passed) {
            out.message = rows.empty() ? "no saved time to check" : "holds at " + std::to_string(rows.size()) +
                                                                        (rows.size() == 1 ? " time" : " times");
        }
        report.outcomes.push_back(std::move(out));
    }
    if (diags.error_count() > errors_before) return std::nullopt;
    return report;
}

void print_check_report(const CheckReport& r, std::ostream& out) {
    for (const auto& o : r.outcomes) out << (o.passed ? "PASS " : "FAIL ") << o.name << ": " << o.message << '\n';
    out << r.outcomes.size() - r.failed() << " of " << r.outcomes.size() << " checks passed\n";
}

void write_checks_csv(const CheckReport& r, std::ostream& out) {
    out << "check,result,time,values,message\n";
    for (const auto& o : r.outcomes) {
        std::string vals;
        for (const auto& [n, v] : o.values) vals += (vals.empty() ? "" : ";") + n + "=" + text::csv_number(v);
        out << text::csv_field(o.name) << ',' << (o.passed ? "pass" : "fail") << ','
            << (o.time ? text::csv_number(*o.time) : std::string()) << ',' << text::csv_field(vals) << ','
            << text::csv_field(o.message) << '\n';
    }
}

}  // namespace sim
