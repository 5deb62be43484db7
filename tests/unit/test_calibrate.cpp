// Calibration: known parameters recovered from model output plus noise
// (within two standard errors), a deliberately over-parameterised model's
// non-identified pair reported, thread-count independence, the data reader
// with its located errors, and the writers.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "sim/calibrate.hpp"
#include "sim/sampling.hpp"
#include "support.hpp"

using simtest::find_code;

namespace {

// Logistic growth P' = r P (1 - P / K), P(0) = 10.
sim::ModelSpec logistic() {
    sim::ModelSpec m;
    m.name = "logistic";
    m.specs.start = 0;
    m.specs.stop = 30;
    m.specs.dt = 0.25;
    m.add_stock("P", "10", {"growth"});
    m.add_flow("growth", "r * P * (1 - P / K)");
    m.add_constant("r", 0.2);
    m.add_constant("K", 800);
    return m;
}

// Data: the model at r = 0.3, K = 500 every 2 years, plus normal noise
// (sd 5) drawn by the library's own seeded sampler.
std::string logistic_data() {
    auto spec = logistic();
    const auto model = sim::Model::compile(spec);
    sim::RunOptions o;
    o.set = {{"r", 0.3}, {"K", 500}};
    o.save = {"P"};
    const auto res = model.run(o);
    const auto noise = sim::sample({{"e", sim::Distribution::normal(0, 5), "", {}}}, {}, 16,
                                   sim::SampleMethod::random, 77);
    std::string csv = "time,P\n";
    for (int i = 0; i < 16; ++i) {
        const double t = 2.0 * i;
        const double v = res.at("P", t) + noise.at(static_cast<std::size_t>(i), 0);
        csv += std::to_string(t) + "," + std::to_string(v) + "\n";
    }
    return csv;
}

sim::CalibrationData parse(const std::string& text, sim::Diagnostics& d) {
    return sim::parse_calibration_data(text, "data.csv", d);
}

}  // namespace

TEST_CASE("calibrate: recovers logistic growth parameters within two standard errors") {
    const auto model = sim::Model::compile(logistic());
    sim::Diagnostics d;
    const auto data = parse(logistic_data(), d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    sim::CalibrationOptions o;
    o.fit = {"r", "K"};
    o.bounds = {{"r", {0.05, 1.0}}, {"K", {100, 1000}}};
    o.starts = 4;
    o.threads = 1;
    const auto fit = sim::calibrate(model, data, o);
    REQUIRE(fit.parameters == std::vector<std::string>{"r", "K"});
    CHECK(fit.identified == std::vector<bool>{true, true});
    const double truth[2] = {0.3, 500};
    for (int i = 0; i < 2; ++i) {
        CAPTURE(fit.parameters[static_cast<std::size_t>(i)]);
        const double se = fit.std_error[static_cast<std::size_t>(i)];
        CHECK(std::isfinite(se));
        CHECK(se > 0);
        CHECK(std::fabs(fit.estimate[static_cast<std::size_t>(i)] - truth[i]) < 2 * se);
    }
    CHECK(fit.observations == 16);
    CHECK(fit.payoff > 0);
    CHECK(fit.residual_variance == doctest::Approx(fit.payoff / 14));
    CHECK(fit.starts.size() == 5);  // the model's own values, then 4 LHS points
    CHECK(fit.starts[0].start == std::vector<double>{0.2, 800});
    CHECK(fit.flagged.empty());
    // Same bytes on 2 threads.
    o.threads = 2;
    const auto fit2 = sim::calibrate(model, data, o);
    CHECK(std::memcmp(fit.estimate.data(), fit2.estimate.data(), 2 * sizeof(double)) == 0);
    CHECK(std::memcmp(fit.std_error.data(), fit2.std_error.data(), 2 * sizeof(double)) == 0);

    std::ostringstream f, c, s;
    sim::write_fit_csv(fit, f);
    CHECK(f.str().rfind("parameter,estimate,std_error,lower,upper,start\nr,", 0) == 0);
    CHECK(f.str().find("\nK,") != std::string::npos);
    sim::write_fit_correlation_csv(fit, c);
    CHECK(c.str().rfind("parameter,r,K\nr,1,", 0) == 0);
    sim::write_fitted_series_csv(fit, s);
    CHECK(s.str().rfind("indicator,time,data,model,residual,weight\nP,0,", 0) == 0);
    const std::string series = s.str();
    CHECK(std::count(series.begin(), series.end(), '\n') == 17);
}

TEST_CASE("calibrate: a product the data cannot split is reported as not identified") {
    // y' = a * b: the data fix the product a b only. z' = c is identified.
    sim::ModelSpec m;
    m.specs.start = 0;
    m.specs.stop = 10;
    m.specs.dt = 1;
    m.add_stock("y", "0", {"fy"});
    m.add_flow("fy", "a * b");
    m.add_stock("z", "0", {"fz"});
    m.add_flow("fz", "c");
    m.add_constant("a", 1);
    m.add_constant("b", 1);
    m.add_constant("c", 1);
    const auto model = sim::Model::compile(m);
    std::string csv = "time,y,z\n";
    for (int t = 0; t <= 10; ++t)
        csv += std::to_string(t) + "," + std::to_string(1.2 * t + (t % 2 ? 0.1 : -0.1)) + "," +
               std::to_string(0.7 * t + (t % 3 ? 0.05 : -0.1)) + "\n";
    sim::Diagnostics d;
    const auto data = parse(csv, d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    sim::CalibrationOptions o;
    o.fit = {"a", "b", "c"};
    o.uncertainties = {{"a", sim::Distribution::uniform(0.5, 2), "", {}},
                       {"b", sim::Distribution::uniform(0.5, 2), "", {}},
                       {"c", sim::Distribution::normal(1, 0.2, 0, 3), "", {}}};
    o.starts = 3;
    const auto fit = sim::calibrate(model, data, o);
    CHECK(fit.identified == std::vector<bool>{false, false, true});
    CHECK(std::isinf(fit.std_error[0]));
    CHECK(std::isinf(fit.std_error[1]));
    CHECK(std::isfinite(fit.std_error[2]));
    CHECK(fit.estimate[0] * fit.estimate[1] == doctest::Approx(1.2).epsilon(0.01));
    REQUIRE(fit.flagged.size() == 1);
    CHECK(fit.flagged[0] == std::pair<std::size_t, std::size_t>{0, 1});
    CHECK(fit.correlation[0 * 3 + 1] < -0.99);
    CHECK(std::fabs(fit.correlation[0 * 3 + 2]) < 0.5);
    CHECK(fit.lower[2] == 0);  // the truncated normal's support
    CHECK(fit.upper[2] == 3);
}

TEST_CASE("calibrate: option errors") {
    const auto model = sim::Model::compile(logistic());
    sim::Diagnostics d;
    const auto data = parse("time,P\n0,10\n10,100\n", d);
    auto msg = [&](sim::CalibrationOptions o, const sim::CalibrationData& dd) {
        try {
            sim::calibrate(model, dd, o);
        } catch (const sim::Error& e) {
            return std::string(sim::name(e.diagnostics().items().at(0).code)) + ": " + e.diagnostics().items().at(0).message;
        }
        return std::string("no error");
    };
    sim::CalibrationOptions o;
    CHECK(msg(o, data) == "E-CALIBRATE: no parameters to fit; name at least one constant");
    o.fit = {"r"};
    CHECK(msg(o, data) ==
          "E-CALIBRATE: no bounds for 'r': declare it under 'uncertainties:' or give bounds (name=lo:hi)");
    o.bounds = {{"r", {1, 0.5}}};
    CHECK(msg(o, data) == "E-CALIBRATE: the bounds of 'r' [1, 0.5] are not an interval; the lower bound must be below "
                          "the upper");
    o.fit = {"growth"};
    o.bounds = {};
    CHECK(msg(o, data) == "E-CALIBRATE: 'growth' is not a constant with a number as its equation");
    o.fit = {"r"};
    o.bounds = {{"r", {0.1, 1}}};
    const auto other = parse("time,Q\n0,10\n", d);
    CHECK(msg(o, other) == "E-CALIBRATE: the data hold 'Q', which the model has no variable for");
    const auto late = parse("time,P\n0,10\n40,100\n", d);
    CHECK(msg(o, late) == "E-CALIBRATE: data time 40 is outside the run [0, 30]");
    sim::CalibrationOptions late_save = o;
    late_save.base.save_step = 4;  // saved rows 0, 4, ..., 28
    const auto at30 = parse("time,P\n0,10\n30,100\n", d);
    CHECK(msg(late_save, at30) == "E-CALIBRATE: data time 30 is outside the saved times [0, 28]");
    o.weights = {{"P", 0}};
    CHECK(msg(o, data) == "E-CALIBRATE: 0 weighted observations cannot determine 1 parameters");
    // A constant expression cannot be set by a run.
    auto spec = logistic();
    spec.add_constant("twice", 0).equation = sim::Equation::parse("r * 2");
    const auto with_expr = sim::Model::compile(spec);
    sim::CalibrationOptions e;
    e.fit = {"twice"};
    e.bounds = {{"twice", {0, 1}}};
    try {
        sim::calibrate(with_expr, data, e);
        FAIL("expected E-CALIBRATE");
    } catch (const sim::Error& err) {
        CHECK(err.diagnostics().items().at(0).code == sim::Code::E_CALIBRATE);
        CHECK(err.diagnostics().items().at(0).variable == "twice");
    }
}

TEST_CASE("calibration data: wide and long forms, weights, missing cells") {
    sim::Diagnostics d;
    const auto w = parse("time,a,\"b, c\"\nweight,2,\n2000,1,\n2001,,4\r\n", d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    CHECK(w.columns == std::vector<std::string>{"a", "b, c"});
    CHECK(w.times == std::vector<double>{2000, 2001});
    CHECK(w.weights == std::vector<double>{2, 1});
    CHECK(w.at(0, 0) == 1);
    CHECK(std::isnan(w.at(0, 1)));
    CHECK(std::isnan(w.at(1, 0)));
    CHECK(w.at(1, 1) == 4);
    const auto l = parse("indicator,year,value,unit,source\nx,2014,2,%,S1\ny,2013,5,,\nx,2013,1,%,S1\n", d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    CHECK(l.columns == std::vector<std::string>{"x", "y"});
    CHECK(l.times == std::vector<double>{2013, 2014});
    CHECK(l.at(0, 0) == 1);
    CHECK(l.at(1, 0) == 2);
    CHECK(l.at(0, 1) == 5);
    CHECK(std::isnan(l.at(1, 1)));
    const auto lw = parse("indicator,time,value,weight\nx,1,2,0.5\nx,2,3,\n", d);
    CHECK(!d.has_errors());
    CHECK(lw.weights == std::vector<double>{0.5});
}

TEST_CASE("calibration data: errors are located") {
    struct Case {
        std::string text;
        int line, col;
        std::string message_part;
    };
    const Case cases[] = {
        {"time,a\n1,2\n2,x\n", 3, 3, "value 'x' is not a number"},
        {"time,a\n1,2\n2,1e999\n", 3, 3, "is out of range"},
        {"time,a,b\n1,2\n", 2, 1, "has 2 fields but the header has 3"},
        {"time,a,a\n1,2,3\n", 1, 8, "appears twice"},
        {"time,a\n2,1\n1,2\n", 3, 1, "does not follow 2"},
        {"time,a\nweight,-1\n1,2\n", 2, 8, "0 or positive"},
        {"time\n1\n", 1, 1, "names no variable"},
        {"indicator,value\nx,1\n", 1, 1, "needs 'time' (or 'year') and 'value'"},
        {"indicator,time,value\nx,1,2\nx,1,3\n", 3, 3, "a second value of 'x' at time 1"},
        {"", 1, 1, "is empty"},
        {"time,a\n", 1, 1, "holds no observations"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        sim::Diagnostics d;
        parse(c.text, d);
        REQUIRE(d.error_count() == 1);
        const auto* e = find_code(d, sim::Code::E_DATA);
        REQUIRE_MESSAGE(e, d.str());
        CHECK(e->loc.file == "data.csv");
        CHECK(e->loc.line == c.line);
        CHECK(e->loc.col == c.col);
        CHECK_MESSAGE(e->message.find(c.message_part) != std::string::npos, e->message);
    }
    sim::Diagnostics d;
    sim::read_calibration_data("/nonexistent/data.csv", d);
    CHECK(find_code(d, sim::Code::E_IO));
}
