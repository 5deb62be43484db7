// Conformance runner: runs one SDXorg test-model case (or all of cases.tsv)
// and compares the results with the expected output Stella/Vensim produced.
//
//   conformance_runner <test-models dir> <model> <expected> [--method euler] [--skip-nan] [--known-failure]
//       (<model> and <expected> relative to the directory, or absolute)
//       (--skip-nan: a NaN cell of the expected file, Vensim's :NA: in the
//       wild models' references, is not compared; --known-failure: the case
//       is listed as not passing, so exit 0 when it fails and 1 when it passes)
//   conformance_runner --all <test-models dir>        (summary of every case)
//   conformance_runner --header <expected> <sdsim.csv>
//       checks the header sdsim wrote: the expected columns must be found in
//       it by the suite's rule (letter case aside, spaces and underscores
//       alike), at least one of them. The columns are the model's own names:
//       where a converter renamed variables (go-xmile wrote
//       "contact_infectivity" for Vensim's "Contact Infectivity") the names
//       differ by '_' for ' ', and the report says which.
//
// Pass rule (shared/conformance/README.md): at every saved time, for every
// column present both in the expected file and in the model,
// |expected - actual| <= 1e-5 + 1e-5 * |expected|; the saved times must match
// and at least one column must be compared. Exit status 0 = pass.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/sim.hpp"

namespace {

constexpr double rtol = 1e-5;
constexpr double atol = 1e-5;

// Per-case run options, keyed by model path, from the notes in cases.tsv.
struct CaseOverride {
    const char* model;
    sim::Method method;
    const char* why;
};
constexpr CaseOverride overrides[] = {
    {"tests/zeroled_decimals/test_zeroled_decimals.xmile", sim::Method::euler,
     "sim_specs says RK4 but the expected output was made with Euler"},
};

struct Table {
    std::vector<std::string> names;           // expected columns after Time
    std::vector<double> times;
    std::vector<std::vector<std::optional<double>>> cols;  // cols[c][row]; nullopt = not a number
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Splits on LF, CRLF or a bare CR.
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\r' || c == '\n') {
            out.push_back(cur);
            cur.clear();
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    while (!out.empty() && out.back().find_first_not_of(" \t") == std::string::npos) out.pop_back();
    return out;
}

// CSV fields may be quoted ("a, b"); tab-separated fields are not.
std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> f;
    std::string cur;
    bool q = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (sep == ',' && c == '"') {
            if (q && i + 1 < line.size() && line[i + 1] == '"') {
                cur += '"';
                ++i;
            } else {
                q = !q;
            }
        } else if (c == sep && !q) {
            f.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    f.push_back(cur);
    return f;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

std::optional<double> number(const std::string& s) {
    std::string t = trim(s);
    if (t.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size()) return std::nullopt;
    return v;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Reads a .csv or .tab expected-output file; a column blank after its first
// row carries that value (Vensim's constants), other blank cells are missing.
bool read_expected(const std::string& path, Table& t, std::string& err) {
    std::string text = slurp(path);
    if (text.empty()) {
        err = "cannot read expected output '" + path + "'";
        return false;
    }
    char sep = ends_with(path, ".tab") ? '\t' : ',';
    auto lines = lines_of(text);
    if (lines.size() < 2) {
        err = "expected output '" + path + "' has no data rows";
        return false;
    }
    auto header = split(lines[0], sep);
    std::string first = trim(header[0]);
    if (sim::canonical_name(first) != "time") {
        err = "expected output '" + path + "': first column is '" + first + "', not Time";
        return false;
    }
    for (std::size_t c = 1; c < header.size(); ++c) t.names.push_back(trim(header[c]));
    t.cols.assign(t.names.size(), {});
    std::vector<std::optional<double>> last(t.names.size());
    // Vensim leaves a constant's cells blank after the first row: a column
    // blank in every later row carries its first value. In any other column
    // a blank cell is a missing value (Vensim writes :NA: so): not compared.
    std::vector<bool> constant(t.names.size(), true);
    for (std::size_t r = 2; r < lines.size(); ++r) {
        auto f = split(lines[r], sep);
        for (std::size_t c = 0; c < t.names.size(); ++c)
            if (c + 1 < f.size() && !trim(f[c + 1]).empty()) constant[c] = false;
    }
    for (std::size_t r = 1; r < lines.size(); ++r) {
        auto f = split(lines[r], sep);
        auto tv = number(f[0]);
        if (!tv) {
            err = "expected output '" + path + "' line " + std::to_string(r + 1) + ": time '" + f[0] + "' is not a number";
            return false;
        }
        t.times.push_back(*tv);
        for (std::size_t c = 0; c < t.names.size(); ++c) {
            std::string cell = c + 1 < f.size() ? trim(f[c + 1]) : std::string();
            if (cell.empty()) {
                t.cols[c].push_back(constant[c] ? last[c] : std::nullopt);
            } else {
                auto v = number(cell);
                if (!v) {
                    // A non-numeric cell (e.g. "#N/A") disables that column from here.
                    last[c] = std::nullopt;
                } else {
                    last[c] = v;
                }
                t.cols[c].push_back(last[c]);
            }
        }
    }
    return true;
}

bool skip_nan = false;

bool close_enough(double expected, double actual) {
    if (std::isnan(expected)) return std::isnan(actual);
    if (std::isinf(expected)) return actual == expected;
    return std::fabs(expected - actual) <= atol + rtol * std::fabs(expected);
}

// Runs one case; prints the outcome; true if it passes.
bool run_case(const std::string& root, const std::string& model, const std::string& expected,
              std::optional<sim::Method> method, bool verbose) {
    // An absolute path (a model of our own, tests/xmile_macro) is used as is.
    auto at = [&](const std::string& p) { return !p.empty() && p[0] == '/' ? p : root + "/" + p; };
    const std::string model_path = at(model);
    const std::string expected_path = at(expected);
    auto fail = [&](const std::string& why) {
        std::cout << "FAIL " << model << ": " << why << "\n";
        return false;
    };

    sim::Diagnostics diags;
    sim::ModelSpec spec = sim::load_model(model_path, diags);
    std::optional<sim::Model> m;
    if (!diags.has_errors()) m = sim::Model::compile(spec, diags);
    if (!m) return fail("the model does not load or compile:\n" + diags.str());
    if (verbose && !diags.empty()) std::cout << diags.str();

    for (const auto& o : overrides)
        if (model == o.model && !method) {
            method = o.method;
            if (verbose) std::cout << "note: running with " << sim::to_string(o.method) << ": " << o.why << "\n";
        }
    sim::RunOptions opts;
    opts.method = method;
    sim::Results r;
    try {
        r = m->run(opts);
    } catch (const sim::Error& e) {
        return fail(std::string("the run failed:\n") + e.diagnostics().str());
    } catch (const std::exception& e) {
        return fail(std::string("the run failed: ") + e.what());
    }

    Table t;
    std::string err;
    if (!read_expected(expected_path, t, err)) return fail(err);

    if (t.times.size() != r.rows())
        return fail("saved times differ: expected " + std::to_string(t.times.size()) + " rows (" +
                    std::to_string(t.times.front()) + " .. " + std::to_string(t.times.back()) + "), got " +
                    std::to_string(r.rows()) + (r.rows() ? " (" + std::to_string(r.times.front()) + " .. " +
                                                               std::to_string(r.times.back()) + ")"
                                                         : std::string()));
    for (std::size_t row = 0; row < t.times.size(); ++row)
        if (!close_enough(t.times[row], r.times[row])) {  // files round times too (10.0312 for 10.03125)
            char buf[160];
            std::snprintf(buf, sizeof buf, "saved time %zu differs: expected %.17g, got %.17g", row, t.times[row],
                          r.times[row]);
            return fail(buf);
        }

    // Match columns (canonical names: case, spaces and underscores alike).
    std::vector<std::pair<std::size_t, std::size_t>> pairs;  // expected col, result col
    std::vector<std::string> skipped;
    // Vensim's INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER columns, when the
    // model has no such variables, are checked against the run's specs.
    const sim::SimSpecs& sp = m->specs();
    const double dt = opts.dt.value_or(sp.dt);
    const std::map<std::string, double> spec_cols = {
        {"initial_time", sp.start}, {"final_time", sp.stop}, {"time_step", dt}, {"saveper", sp.save_step.value_or(dt)}};
    std::vector<std::pair<std::size_t, double>> spec_pairs;  // expected col, value
    for (std::size_t c = 0; c < t.names.size(); ++c) {
        if (auto rc = r.column(t.names[c])) pairs.emplace_back(c, *rc);
        else if (auto sc = spec_cols.find(sim::canonical_name(t.names[c])); sc != spec_cols.end())
            spec_pairs.emplace_back(c, sc->second);
        else skipped.push_back(t.names[c]);
    }
    for (const auto& [c, value] : spec_pairs)
        for (std::size_t row = 0; row < t.times.size(); ++row)
            if (t.cols[c][row] && !close_enough(*t.cols[c][row], value)) {
                char buf[300];
                std::snprintf(buf, sizeof buf, "simulation spec column '%s' differs at time %.10g: expected %.10g, the run used %.10g",
                              t.names[c].c_str(), t.times[row], *t.cols[c][row], value);
                return fail(buf);
            }
    if (pairs.empty()) return fail("no expected column matches a model variable: nothing was compared");

    // First difference in time order; count differing cells per column.
    std::optional<std::pair<std::size_t, std::size_t>> first;  // row, pair index
    std::map<std::string, std::size_t> bad;
    std::size_t compared = 0;
    for (std::size_t row = 0; row < t.times.size(); ++row)
        for (std::size_t p = 0; p < pairs.size(); ++p) {
            const auto& ev = t.cols[pairs[p].first][row];
            if (!ev || (skip_nan && std::isnan(*ev))) continue;
            ++compared;
            double av = r.at(row, pairs[p].second);
            if (!close_enough(*ev, av)) {
                if (!first) first = std::make_pair(row, p);
                ++bad[t.names[pairs[p].first]];
            }
        }
    if (compared == 0) return fail("every expected cell is blank or non-numeric: nothing was compared");
    if (first) {
        auto [row, p] = *first;
        char buf[400];
        std::snprintf(buf, sizeof buf, "column '%s' differs first at time %.10g: expected %.10g, actual %.10g",
                      t.names[pairs[p].first].c_str(), t.times[row], *t.cols[pairs[p].first][row],
                      r.at(row, pairs[p].second));
        std::string msg = buf;
        msg += "\n  differing cells per column:";
        for (const auto& [name, n] : bad) msg += " '" + name + "': " + std::to_string(n) + ";";
        return fail(msg);
    }
    std::cout << "PASS " << model << ": " << pairs.size() << " columns x " << t.times.size() << " times";
    if (!spec_pairs.empty()) std::cout << " + " << spec_pairs.size() << " spec columns";
    if (!skipped.empty()) {
        std::cout << " (not in the model:";
        for (const auto& s : skipped) std::cout << " '" << s << "'";
        std::cout << ")";
    }
    std::cout << "\n";
    return true;
}

int usage() {
    std::cerr << "usage: conformance_runner <test-models dir> <model> <expected> [--method euler|rk2|rk4|rk45] [--skip-nan] [--known-failure]\n"
                 "       conformance_runner --all <test-models dir>\n"
                 "       conformance_runner --header <expected> <sdsim.csv>\n";
    return 2;
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// Splits a CSV header line as sim::write_csv writes it (fields with ',' or '"' quoted).
std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { out.back() += '"'; ++i; }
            else if (c == '"') quoted = false;
            else out.back() += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else {
            out.back() += c;
        }
    }
    return out;
}

bool check_header(const std::string& expected_path, const std::string& csv_path) {
    Table t;
    std::string err;
    if (!read_expected(expected_path, t, err)) {
        std::cout << "FAIL " << err << "\n";
        return false;
    }
    auto lines = lines_of(slurp(csv_path));
    if (lines.empty()) {
        std::cout << "FAIL cannot read the sdsim output '" << csv_path << "'\n";
        return false;
    }
    std::vector<std::string> got = csv_fields(lines[0]);
    std::map<std::string, std::string> by_canonical;  // canonical -> as written by sdsim
    for (std::size_t i = 1; i < got.size(); ++i) by_canonical[sim::canonical_name(got[i])] = got[i];
    int same = 0, alike = 0;
    for (const auto& name : t.names) {
        auto it = by_canonical.find(sim::canonical_name(name));
        if (it == by_canonical.end()) continue;  // a column the model does not have
        if (lower(it->second) == lower(name)) {
            ++same;
        } else {
            ++alike;
            std::cout << "note: expected column '" << name << "' is '" << it->second
                      << "' in the model (spaces and underscores alike)\n";
        }
    }
    if (same + alike == 0) {
        std::cout << "FAIL no expected column is in the sdsim output: nothing was compared\n";
        return false;
    }
    std::cout << "PASS " << same + alike << " expected columns in the sdsim header (" << same
              << " with the same name letter case aside)\n";
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 2 && args[0] == "--all") {
        const std::string root = args[1];
        auto lines = lines_of(slurp(root + "/cases.tsv"));
        if (lines.empty()) {
            std::cerr << "cannot read " << root << "/cases.tsv\n";
            return 2;
        }
        int pass = 0, total = 0;
        for (std::size_t i = 1; i < lines.size(); ++i) {
            auto f = split(lines[i], '\t');
            if (f.size() < 2 || trim(f[0]).empty()) continue;
            ++total;
            if (run_case(root, trim(f[0]), trim(f[1]), std::nullopt, false)) ++pass;
        }
        std::cout << pass << " of " << total << " cases pass\n";
        return pass == total ? 0 : 1;
    }
    if (args.size() == 3 && args[0] == "--header") return check_header(args[1], args[2]) ? 0 : 1;
    bool known_failure = false;
    for (;;) {
        if (!args.empty() && args.back() == "--skip-nan") {
            skip_nan = true;
            args.pop_back();
        } else if (!args.empty() && args.back() == "--known-failure") {
            known_failure = true;
            args.pop_back();
        } else {
            break;
        }
    }
    if (args.size() != 3 && args.size() != 5) return usage();
    std::optional<sim::Method> method;
    if (args.size() == 5) {
        if (args[3] != "--method" || !(method = sim::parse_method(args[4]))) return usage();
    }
    const bool pass = run_case(args[0], args[1], args[2], method, true);
    if (known_failure) {
        // A case listed as not passing, with its reason, where the list is
        // kept: it must still fail as it did; a pass means the list is stale.
        std::cout << (pass ? "UNEXPECTED PASS: remove the case from the list of known failures\n"
                           : "KNOWN FAILURE (listed with its reason)\n");
        return pass ? 1 : 0;
    }
    return pass ? 0 : 1;
}
