// End-to-end check of `sdsim compare` against single `sdsim run` calls:
//
//   compare_e2e SDSIM MODEL_OR_SCENARIO OUTDIR
//
// runs `sdsim compare MODEL --out OUTDIR`, checks that the output files exist
// and that combinations.csv has one row per combination (2^k), then for a few
// combinations runs `sdsim run MODEL --set L_on=0|1 ... --vars ...` and checks
// every `<variable>@<time>` column of that row against the run's value at
// that time, within 1e-9 relative. Exit status 0 if all checks pass.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

int failures = 0;

void fail(const std::string& msg) {
    std::cerr << "FAIL: " << msg << '\n';
    ++failures;
}

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

// Runs a shell command; returns its standard output and sets `rc`.
std::string run(const std::string& cmd, int& rc) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) {
        rc = -1;
        return out;
    }
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    rc = ::pclose(p);
    return out;
}

std::vector<std::string> split(const std::string& line, char sep = ',') {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string item;
    while (std::getline(ss, item, sep)) out.push_back(item);
    if (!line.empty() && line.back() == sep) out.emplace_back();
    return out;
}

std::vector<std::vector<std::string>> read_csv(std::istream& in) {
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) rows.push_back(split(line));
    return rows;
}

double num(const std::string& s) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0') {
        fail("not a number: '" + s + "'");
        return std::nan("");
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: compare_e2e SDSIM MODEL OUTDIR\n";
        return 2;
    }
    const std::string sdsim = argv[1], model = argv[2], dir = argv[3];
    std::filesystem::remove_all(dir);

    int rc = 0;
    run(quote(sdsim) + " compare " + quote(model) + " --no-charts --threads 2 --out " + quote(dir) + " >/dev/null", rc);
    if (rc != 0) {
        std::cerr << "FAIL: sdsim compare exited with " << rc << '\n';
        return 1;
    }
    for (const char* f : {"combinations.csv", "effects.csv", "trajectories.csv", "report.md"})
        if (!std::filesystem::is_regular_file(dir + "/" + f) || std::filesystem::file_size(dir + "/" + f) == 0)
            fail(std::string(f) + " missing or empty");

    std::ifstream in(dir + "/combinations.csv");
    const auto table = read_csv(in);
    if (table.empty()) {
        fail("combinations.csv is empty");
        return 1;
    }
    const auto& header = table[0];
    // Lever columns: after `combination`, up to the first `name@time` column.
    std::vector<std::string> levers;
    std::size_t c = 1;
    for (; c < header.size() && header[c].find('@') == std::string::npos; ++c) levers.push_back(header[c]);
    struct Col {
        std::size_t index;
        std::string var;
        double time;
    };
    std::vector<Col> cols;
    std::vector<std::string> vars;
    for (; c < header.size(); ++c) {
        const auto at = header[c].rfind('@');
        if (at == std::string::npos) {
            fail("column '" + header[c] + "' is not <variable>@<time>");
            continue;
        }
        Col col{c, header[c].substr(0, at), num(header[c].substr(at + 1))};
        if (std::find(vars.begin(), vars.end(), col.var) == vars.end()) vars.push_back(col.var);
        cols.push_back(col);
    }
    if (levers.size() != 5) fail("expected the 5 Chongqing levers, found " + std::to_string(levers.size()));
    const std::size_t expected_rows = std::size_t{1} << levers.size();
    if (table.size() - 1 != expected_rows || expected_rows != 32)
        fail("combinations.csv has " + std::to_string(table.size() - 1) + " rows, expected 32");
    if (cols.empty()) fail("no indicator columns");

    std::string var_list;
    for (const auto& v : vars) var_list += (var_list.empty() ? "" : ",") + v;

    // Baseline, all levers, and two mixed combinations.
    for (unsigned mask : {0u, 31u, 5u, 26u}) {
        const std::vector<std::string>* row = nullptr;
        for (std::size_t r = 1; r < table.size(); ++r) {
            bool match = table[r].size() == header.size();
            for (std::size_t i = 0; match && i < levers.size(); ++i)
                match = table[r][1 + i] == ((mask >> i & 1) ? "1" : "0");
            if (match) row = &table[r];
        }
        if (!row) {
            fail("no row for combination mask " + std::to_string(mask));
            continue;
        }
        std::string cmd = quote(sdsim) + " run " + quote(model) + " --vars " + quote(var_list);
        for (std::size_t i = 0; i < levers.size(); ++i)
            cmd += " --set " + quote(levers[i] + "_on=" + ((mask >> i & 1) ? "1" : "0"));
        std::istringstream out(run(cmd, rc));
        if (rc != 0) {
            fail("'" + cmd + "' exited with " + std::to_string(rc));
            continue;
        }
        const auto res = read_csv(out);
        if (res.size() < 2) {
            fail("'" + cmd + "' printed no rows");
            continue;
        }
        std::map<std::string, std::size_t> var_col;
        for (std::size_t i = 1; i < res[0].size(); ++i) var_col[res[0][i]] = i;
        std::size_t checked = 0;
        for (const auto& col : cols) {
            const std::vector<std::string>* at_row = nullptr;
            for (std::size_t r = 1; r < res.size(); ++r)
                if (num(res[r][0]) == col.time) at_row = &res[r];
            if (!at_row || !var_col.count(col.var)) {
                fail("run output lacks " + col.var + " at " + std::to_string(col.time));
                continue;
            }
            const double want = num((*at_row)[var_col[col.var]]);
            const double got = num((*row)[col.index]);
            const double tol = 1e-9 * std::max(std::fabs(want), std::fabs(got));
            if (!(std::fabs(want - got) <= tol))
                fail("mask " + std::to_string(mask) + ", " + header[col.index] + ": combinations.csv has " +
                     (*row)[col.index] + ", sdsim run gives " + (*at_row)[var_col[col.var]]);
            ++checked;
        }
        std::cout << "mask " << mask << " (" << (*row)[0] << "): " << checked << " values agree\n";
    }
    return failures == 0 ? 0 : 1;
}
