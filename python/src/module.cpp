// libsim._core: the pybind11 bindings of the library API (docs/python.md).
// The pure-Python package (python/libsim/__init__.py) turns their arrays into
// pandas DataFrames. Every call that runs a model releases the GIL; a Model is
// immutable after load, so several Python threads may run it at once.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/calibrate.hpp"
#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/overrides.hpp"
#include "sim/scenario.hpp"
#include "sim/sensitivity.hpp"
#include "sim/version.hpp"

namespace py = pybind11;

namespace {

// libsim.Error, created at import; its instances carry `diagnostics`.
PyObject* error_type = nullptr;

const char* severity_name(sim::Severity s) {
    switch (s) {
    case sim::Severity::error: return "error";
    case sim::Severity::warning: return "warning";
    case sim::Severity::note: return "note";
    }
    return "error";
}

std::vector<sim::Diagnostic> items(const sim::Diagnostics& d) { return d.items(); }

[[noreturn]] void fail(sim::Code code, const std::string& variable, const std::string& message) {
    throw sim::Error(code, variable, message);
}

std::optional<sim::Method> method_of(const std::optional<std::string>& name) {
    if (!name) return std::nullopt;
    auto m = sim::parse_method(*name);
    if (!m) fail(sim::Code::E_BAD_METHOD, "", "unknown method '" + *name + "' (expected euler, rk2, rk4 or rk45)");
    return m;
}

sim::NonFinite nonfinite_of(const std::string& s) {
    if (s == "error") return sim::NonFinite::error;
    if (s == "warn") return sim::NonFinite::warn;
    if (s == "ignore") return sim::NonFinite::ignore;
    fail(sim::Code::E_BAD_VALUE, "", "on_nonfinite must be 'error', 'warn' or 'ignore', not '" + s + "'");
}

// Run settings as the Python API passes them (every field optional).
struct Settings {
    std::optional<std::string> method;
    std::optional<double> initial_time, final_time, time_step, saveper;
    std::string on_nonfinite = "error";
};

// A value for a constant: a number, or an equation (text) for a constant.
using ParamValue = std::variant<double, std::string>;
using Params = std::vector<std::pair<std::string, ParamValue>>;

// A loaded model: the spec as read (a scenario's lever settings and `set:`
// already applied), the model compiled from it, and a scenario's defaults.
class PyModel {
public:
    static PyModel load(const std::string& path) {
        PyModel m;
        py::gil_scoped_release nogil;
        sim::Diagnostics diags;
        if (sim::is_scenario_file(path)) {
            auto s = sim::load_scenario(path, diags);
            if (diags.has_errors()) throw sim::Error(std::move(diags));
            m.spec_ = std::make_shared<const sim::ModelSpec>(std::move(s.model));
            m.base_ = std::move(s.run);
            m.indicators_ = std::move(s.indicators);
            m.report_at_ = std::move(s.report_at);
            m.cost_ = std::move(s.cost);
            m.scenario_ = s.name;
        } else {
            auto spec = sim::load_model(path, diags);
            if (diags.has_errors()) throw sim::Error(std::move(diags));
            m.spec_ = std::make_shared<const sim::ModelSpec>(std::move(spec));
        }
        auto model = sim::Model::compile(*m.spec_, diags);
        if (!model) throw sim::Error(std::move(diags));
        m.model_ = std::make_shared<const sim::Model>(std::move(*model));
        m.warnings_ = diags.items();
        m.path_ = path;
        return m;
    }

    // The model for a set of parameter and lever overrides, and the run
    // options holding the ones a compiled model can take without compiling
    // again (numbers for constants: RunOptions::set). Anything else (an
    // equation, an auxiliary that is a number, an unknown name) goes through
    // apply_overrides on a copy of the spec, exactly as a scenario's `set:`,
    // and the copy is compiled.
    std::pair<std::shared_ptr<const sim::Model>, sim::RunOptions> prepare(const Params& params,
                                                                          const Settings& st) const {
        sim::RunOptions o = base_;
        if (auto mm = method_of(st.method)) o.method = mm;
        if (st.initial_time) o.start = st.initial_time;
        if (st.final_time) o.stop = st.final_time;
        if (st.time_step) o.dt = st.time_step;
        if (st.saveper) o.save_step = st.saveper;
        o.on_nonfinite = nonfinite_of(st.on_nonfinite);
        bool fast = true;
        for (const auto& [name, value] : params) {
            if (!std::holds_alternative<double>(value) || !model_->is_constant(name)) fast = false;
            if (auto ls = sim::find_lever_setting(*spec_, name); ls && !lever_value_ok(ls->field, std::get_if<double>(&value)))
                fast = false;  // apply_overrides reports it
        }
        if (fast) {
            for (const auto& [name, value] : params) o.set.emplace_back(name, std::get<double>(value));
            return {model_, o};
        }
        sim::ModelSpec spec = *spec_;
        std::vector<sim::Override> ov;
        for (const auto& [name, value] : params) {
            if (const double* x = std::get_if<double>(&value)) {
                ov.push_back(sim::command_line_override(name, *x));
            } else {
                sim::Override one;
                one.name = name;
                one.name_loc = sim::SourceLoc{"params", 0, 0};
                one.value = sim::Equation::parse(std::get<std::string>(value), sim::SourceLoc{"params[" + name + "]", 1, 1});
                ov.push_back(std::move(one));
            }
        }
        sim::Diagnostics diags;
        if (!sim::apply_overrides(spec, ov, diags)) throw sim::Error(std::move(diags));
        auto model = sim::Model::compile(spec, diags);
        if (!model) throw sim::Error(std::move(diags));
        return {std::make_shared<const sim::Model>(std::move(*model)), o};
    }

    // (times, names, values rows x names, warnings)
    py::tuple run(const Params& params, const std::optional<std::vector<std::string>>& columns,
                  const Settings& st) const {
        sim::Results r;
        {
            py::gil_scoped_release nogil;
            auto [model, o] = prepare(params, st);
            if (columns) o.save = *columns;
            r = model->run(o);
        }
        py::array_t<double> times(static_cast<py::ssize_t>(r.rows()));
        std::copy(r.times.begin(), r.times.end(), times.mutable_data());
        py::array_t<double> values({static_cast<py::ssize_t>(r.rows()), static_cast<py::ssize_t>(r.cols())});
        std::copy(r.values.begin(), r.values.end(), values.mutable_data());
        return py::make_tuple(times, r.names.vector(), values, r.warnings);
    }

    sim::CompareResult compare(const Params& params, const Settings& st,
                               const std::optional<std::vector<std::string>>& levers,
                               const std::optional<std::vector<double>>& at,
                               const std::optional<std::vector<std::pair<std::string, bool>>>& indicators,
                               unsigned threads) const {
        py::gil_scoped_release nogil;
        auto [model, o] = prepare(params, st);
        sim::CompareOptions c;
        if (levers) c.levers = *levers;
        c.at = at ? *at : report_at_;
        if (indicators) {
            for (const auto& [name, lower] : *indicators) c.indicators.push_back({name, lower});
        } else {
            c.indicators = indicators_;
        }
        c.threads = threads;
        c.base = o;
        if (!scenario_.empty()) c.cost_variable = cost_;  // as `sdsim compare` does
        if (c.indicators.empty()) c.indicators = sim::default_indicators(*model, c.base);
        auto r = sim::compare(*model, c);
        r.model_name = scenario_.empty() ? spec_->name : scenario_;
        return r;
    }

    sim::SensitivityResult sensitivity(const Params& params, const Settings& st, const std::string& method,
                                       std::size_t samples, std::uint64_t seed, std::size_t bootstrap,
                                       std::size_t morris_levels, const std::vector<std::string>& indicators,
                                       const std::optional<std::vector<double>>& at, unsigned threads) const {
        py::gil_scoped_release nogil;
        auto [model, o] = prepare(params, st);
        sim::SensitivityOptions s;
        if (method == "sobol") s.method = sim::SensitivityMethod::sobol;
        else if (method == "latin_hypercube" || method == "lhs") s.method = sim::SensitivityMethod::latin_hypercube;
        else if (method == "morris") s.method = sim::SensitivityMethod::morris;
        else fail(sim::Code::E_SENSITIVITY, "", "unknown method '" + method + "' (expected sobol, latin_hypercube or morris)");
        s.samples = samples;
        s.seed = seed;
        s.bootstrap = bootstrap;
        s.morris_levels = morris_levels;
        s.indicators = indicators;
        if (s.indicators.empty())
            for (const auto& ind : indicators_) s.indicators.push_back(ind.name);
        if (at) s.at = *at;
        else s.at = report_at_;
        s.base = o;
        s.threads = threads;
        return sim::sensitivity(*model, spec_->uncertainties, spec_->correlations, s);
    }

    sim::CalibrationResult calibrate(const Params& params, const Settings& st, const std::string& data_text,
                                     const std::string& data_name, const std::vector<std::string>& fit,
                                     const std::vector<std::pair<std::string, std::pair<double, double>>>& bounds,
                                     std::size_t starts, std::uint64_t seed, std::size_t max_evaluations,
                                     unsigned threads) const {
        py::gil_scoped_release nogil;
        auto [model, o] = prepare(params, st);
        sim::Diagnostics diags;
        auto data = sim::parse_calibration_data(data_text, data_name, diags);
        if (diags.has_errors()) throw sim::Error(std::move(diags));
        sim::CalibrationOptions c;
        c.fit = fit;
        c.bounds = bounds;
        c.uncertainties = spec_->uncertainties;
        c.starts = starts;
        c.seed = seed;
        c.max_evaluations = max_evaluations;
        c.base = o;
        c.threads = threads;
        return sim::calibrate(*model, data, c);
    }

    // {name: value} of every constant whose equation is a number.
    py::dict constants() const {
        py::dict d;
        for (const auto& v : spec_->variables) {
            if (v.kind != sim::VarKind::constant && v.kind != sim::VarKind::aux) continue;
            auto x = v.equation.number_value();
            if (x && model_->is_constant(v.name)) d[py::str(v.name)] = *x;
        }
        return d;
    }

    py::dict levers() const {
        py::dict d;
        for (const auto& l : spec_->levers) {
            py::dict x;
            x["title"] = l.title;
            x["section"] = l.section;
            x["description"] = l.description;
            x["on"] = l.on;
            x["intensity"] = l.intensity;
            x["start"] = l.start;
            x["phase_in"] = l.phase_in;
            x["cost"] = l.cost.text;
            x["cost_units"] = l.cost_units;
            d[py::str(l.name)] = x;
        }
        return d;
    }

    // One row per user variable: name, kind, units, equation, doc, file, line.
    std::vector<py::tuple> doc() const {
        std::vector<py::tuple> rows;
        for (const auto& v : spec_->variables)
            rows.push_back(py::make_tuple(v.name, sim::to_string(v.kind), v.units, v.equation.text, v.doc,
                                          v.loc.file, v.loc.line));
        return rows;
    }

    const sim::ModelSpec& spec() const { return *spec_; }
    const sim::Model& model() const { return *model_; }
    const std::string& path() const { return path_; }
    const std::string& scenario() const { return scenario_; }
    const std::vector<sim::Diagnostic>& warnings() const { return warnings_; }
    const std::vector<sim::Indicator>& indicators() const { return indicators_; }
    const std::vector<double>& report_at() const { return report_at_; }

private:
    static bool lever_value_ok(sim::LeverSetting::Field f, const double* x) {
        if (!x) return false;
        switch (f) {
        case sim::LeverSetting::on: return *x == 0 || *x == 1;
        case sim::LeverSetting::intensity: return *x >= 0 && *x <= 1;
        case sim::LeverSetting::phase_in: return *x >= 0;
        case sim::LeverSetting::start: return std::isfinite(*x);
        }
        return false;
    }

    std::shared_ptr<const sim::ModelSpec> spec_;
    std::shared_ptr<const sim::Model> model_;
    sim::RunOptions base_;
    std::vector<sim::Indicator> indicators_;
    std::vector<double> report_at_;
    std::string cost_, scenario_, path_;
    std::vector<sim::Diagnostic> warnings_;
};

py::array_t<double> array(const std::vector<double>& v) {
    py::array_t<double> a(static_cast<py::ssize_t>(v.size()));
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "libsim._core: bindings of the libsim C++ library (use the libsim package).";
    m.attr("__version__") = sim::version_string;

    error_type = PyErr_NewExceptionWithDoc(
        "libsim.Error",
        "A model, scenario, option or run error. `diagnostics` lists every finding "
        "(file, line, column, variable, code, message); str() shows them one per line.",
        PyExc_Exception, nullptr);
    m.attr("Error") = py::handle(error_type);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const sim::Error& e) {
            py::object inst = py::reinterpret_borrow<py::object>(error_type)(py::str(e.what()));
            inst.attr("diagnostics") = py::cast(e.diagnostics().items());
            inst.attr("code") = py::str(sim::name(e.code()));
            PyErr_SetObject(error_type, inst.ptr());
        }
    });

    py::class_<sim::Diagnostic>(m, "Diagnostic", "One finding with its position (lines and columns 1-based, 0 = unknown).")
        .def_property_readonly("severity", [](const sim::Diagnostic& d) { return severity_name(d.severity); })
        .def_property_readonly("code", [](const sim::Diagnostic& d) { return std::string(sim::name(d.code)); })
        .def_property_readonly("file", [](const sim::Diagnostic& d) { return d.loc.file; })
        .def_property_readonly("line", [](const sim::Diagnostic& d) { return d.loc.line; })
        .def_property_readonly("column", [](const sim::Diagnostic& d) { return d.loc.col; })
        .def_readonly("variable", &sim::Diagnostic::variable)
        .def_readonly("message", &sim::Diagnostic::message)
        .def("__str__", [](const sim::Diagnostic& d) { return sim::format(d); })
        .def("__repr__", [](const sim::Diagnostic& d) { return "<Diagnostic " + sim::format(d) + ">"; });

    py::class_<Settings>(m, "Settings")
        .def(py::init<>())
        .def_readwrite("method", &Settings::method)
        .def_readwrite("initial_time", &Settings::initial_time)
        .def_readwrite("final_time", &Settings::final_time)
        .def_readwrite("time_step", &Settings::time_step)
        .def_readwrite("saveper", &Settings::saveper)
        .def_readwrite("on_nonfinite", &Settings::on_nonfinite);

    py::class_<sim::CompareResult>(m, "CompareResult")
        .def_readonly("model_name", &sim::CompareResult::model_name)
        .def_readonly("levers", &sim::CompareResult::levers)
        .def_readonly("lever_titles", &sim::CompareResult::lever_titles)
        .def_property_readonly("indicators",
                               [](const sim::CompareResult& r) {
                                   std::vector<std::pair<std::string, bool>> v;
                                   for (const auto& i : r.indicators) v.emplace_back(i.name, i.lower_is_better);
                                   return v;
                               })
        .def_readonly("at", &sim::CompareResult::at)
        .def_property_readonly("times", [](const sim::CompareResult& r) { return array(r.times); })
        .def_readonly("has_cost", &sim::CompareResult::has_cost)
        .def_readonly("cost_name", &sim::CompareResult::cost_name)
        .def_property_readonly("values",  // [mask][indicator * at + a]
                               [](const sim::CompareResult& r) {
                                   std::vector<std::vector<double>> v;
                                   for (const auto& c : r.combinations) v.push_back(c.values);
                                   return v;
                               })
        .def_property_readonly("costs",  // [mask][a]
                               [](const sim::CompareResult& r) {
                                   std::vector<std::vector<double>> v;
                                   for (const auto& c : r.combinations) v.push_back(c.cost);
                                   return v;
                               })
        .def_property_readonly("series",  // [mask][indicator] -> saved rows
                               [](const sim::CompareResult& r) {
                                   std::vector<std::vector<std::vector<double>>> v;
                                   for (const auto& c : r.combinations) v.push_back(c.series);
                                   return v;
                               })
        .def_property_readonly("effects",  // [indicator * at + a] -> (baseline, all, main, interaction, shapley)
                               [](const sim::CompareResult& r) {
                                   std::vector<py::tuple> v;
                                   for (const auto& e : r.effects)
                                       v.push_back(py::make_tuple(e.baseline, e.all, e.main, e.interaction, e.shapley));
                                   return v;
                               })
        .def("label", &sim::CompareResult::label, py::arg("mask"))
        .def("value", py::overload_cast<std::string_view, std::string_view, double>(&sim::CompareResult::value, py::const_),
             py::arg("combination"), py::arg("indicator"), py::arg("time"));

    py::class_<sim::SensitivityResult>(m, "SensitivityResult")
        .def_property_readonly("method", [](const sim::SensitivityResult& r) { return std::string(sim::to_string(r.method)); })
        .def_readonly("seed", &sim::SensitivityResult::seed)
        .def_readonly("base_samples", &sim::SensitivityResult::base_samples)
        .def_readonly("parameters", &sim::SensitivityResult::parameters)
        .def_property_readonly("indicators", [](const sim::SensitivityResult& r) { return r.ensemble.indicators; })
        .def_property_readonly("at", [](const sim::SensitivityResult& r) { return r.ensemble.at; })
        .def_property_readonly("runs", [](const sim::SensitivityResult& r) { return r.samples.rows; })
        .def_property_readonly("indices",  // [(indicator * at + a) * parameters + p] -> 11 values
                               [](const sim::SensitivityResult& r) {
                                   std::vector<std::vector<double>> v;
                                   for (const auto& x : r.indices)
                                       v.push_back({x.S1, x.S1_low, x.S1_high, x.ST, x.ST_low, x.ST_high, x.SRRC, x.PRCC,
                                                    x.mu, x.mu_star, x.sigma});
                                   return v;
                               })
        .def_property_readonly("percentiles",  // [indicator * at + a] -> p5, p25, p50, p75, p95, mean
                               [](const sim::SensitivityResult& r) {
                                   std::vector<std::vector<double>> v;
                                   for (const auto& p : r.percentiles) v.push_back({p.p5, p.p25, p.p50, p.p75, p.p95, p.mean});
                                   return v;
                               })
        .def_property_readonly("notes", [](const sim::SensitivityResult& r) { return items(r.notes); });

    py::class_<sim::CalibrationResult>(m, "CalibrationResult")
        .def_readonly("parameters", &sim::CalibrationResult::parameters)
        .def_readonly("estimate", &sim::CalibrationResult::estimate)
        .def_readonly("std_error", &sim::CalibrationResult::std_error)
        .def_readonly("lower", &sim::CalibrationResult::lower)
        .def_readonly("upper", &sim::CalibrationResult::upper)
        .def_readonly("start", &sim::CalibrationResult::start)
        .def_readonly("identified", &sim::CalibrationResult::identified)
        .def_readonly("correlation", &sim::CalibrationResult::correlation)
        .def_readonly("payoff", &sim::CalibrationResult::payoff)
        .def_readonly("observations", &sim::CalibrationResult::observations)
        .def_readonly("residual_variance", &sim::CalibrationResult::residual_variance)
        .def_readonly("columns", &sim::CalibrationResult::columns)
        .def_readonly("times", &sim::CalibrationResult::times)
        .def_readonly("data", &sim::CalibrationResult::data)
        .def_readonly("fitted", &sim::CalibrationResult::fitted);

    py::class_<PyModel>(m, "Model", "A loaded and compiled model (immutable; safe to run from several threads).")
        .def_static("load", &PyModel::load, py::arg("path"))
        .def("run", &PyModel::run, py::arg("params"), py::arg("columns"), py::arg("settings"))
        .def("compare", &PyModel::compare, py::arg("params"), py::arg("settings"), py::arg("levers"), py::arg("at"),
             py::arg("indicators"), py::arg("threads"))
        .def("sensitivity", &PyModel::sensitivity, py::arg("params"), py::arg("settings"), py::arg("method"),
             py::arg("samples"), py::arg("seed"), py::arg("bootstrap"), py::arg("morris_levels"), py::arg("indicators"),
             py::arg("at"), py::arg("threads"))
        .def("calibrate", &PyModel::calibrate, py::arg("params"), py::arg("settings"), py::arg("data_text"),
             py::arg("data_name"), py::arg("fit"), py::arg("bounds"), py::arg("starts"), py::arg("seed"),
             py::arg("max_evaluations"), py::arg("threads"))
        .def_property_readonly("constants", &PyModel::constants)
        .def_property_readonly("levers", &PyModel::levers)
        .def_property_readonly("doc_rows", &PyModel::doc)
        .def_property_readonly("name", [](const PyModel& p) { return p.spec().name; })
        .def_property_readonly("path", &PyModel::path)
        .def_property_readonly("scenario", &PyModel::scenario)
        .def_property_readonly("variables", [](const PyModel& p) { return p.model().variable_names(); })
        .def_property_readonly("uncertainties",
                               [](const PyModel& p) {
                                   std::vector<std::string> v;
                                   for (const auto& u : p.spec().uncertainties) v.push_back(u.name);
                                   return v;
                               })
        .def_property_readonly("warnings", &PyModel::warnings)
        .def_property_readonly("specs",
                               [](const PyModel& p) {
                                   const auto& s = p.model().specs();
                                   py::dict d;
                                   d["initial_time"] = s.start;
                                   d["final_time"] = s.stop;
                                   d["time_step"] = s.dt;
                                   d["saveper"] = s.save_step.value_or(s.dt);
                                   d["method"] = sim::to_string(s.method);
                                   d["time_units"] = s.time_units;
                                   return d;
                               })
        .def_property_readonly("default_indicators",
                               [](const PyModel& p) {
                                   std::vector<std::pair<std::string, bool>> v;
                                   for (const auto& i : p.indicators()) v.emplace_back(i.name, i.lower_is_better);
                                   return v;
                               })
        .def_property_readonly("report_at", &PyModel::report_at);
}
