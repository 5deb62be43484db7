// Calibration data files (wide or long CSV; see sim/calibrate.hpp), read
// with file:line:col for every error.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "sim/calibrate.hpp"
#include "sim/input.hpp"
#include "sim/spec.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

struct Field {
    std::string text;
    int line = 0, col = 0;
};

// RFC 4180 fields with their positions; quoted fields may hold commas,
// doubled quotes and line breaks. Blank lines are skipped.
std::vector<std::vector<Field>> split_csv(std::string_view s) {
    std::vector<std::vector<Field>> rows;
    std::vector<Field> row;
    Field f;
    int line = 1, col = 1;
    bool in_quotes = false, field_started = false;
    f.line = line;
    f.col = col;
    auto end_field = [&] {
        row.push_back(std::move(f));
        f = Field{};
        field_started = false;
    };
    auto end_row = [&] {
        end_field();
        const bool blank = row.size() == 1 && text::trim(row[0].text).empty();
        if (!blank) rows.push_back(std::move(row));
        row.clear();
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (!field_started) {
            f.line = line;
            f.col = col;
            field_started = true;
        }
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < s.size() && s[i + 1] == '"') {
                    f.text += '"';
                    ++i;
                    ++col;
                } else {
                    in_quotes = false;
                }
            } else {
                f.text += c;
                if (c == '\n') {
                    ++line;
                    col = 0;
                }
            }
        } else if (c == '"' && text::trim(f.text).empty()) {
            in_quotes = true;
            f.text.clear();
        } else if (c == ',') {
            end_field();
        } else if (c == '\n') {
            end_row();
            ++line;
            col = 0;
        } else if (c != '\r') {
            f.text += c;
        }
        ++col;
    }
    if (field_started || !row.empty()) end_row();
    return rows;
}

class Parser {
public:
    Parser(const std::string& file, Diagnostics& d) : file_(file), d_(d) {}

    void error(const Field& f, const std::string& msg) { d_.error(sim::Code::E_DATA, {file_, f.line, f.col}, "", msg); }

    // A number, or NaN for an empty cell when `allow_empty`; nullopt after an error.
    std::optional<double> number(const Field& f, bool allow_empty, const std::string& what) {
        if (allow_empty && text::trim(f.text).empty()) return nan;
        auto p = text::parse_number(f.text);
        if (p) return p.value;
        error(f, what + " '" + std::string(text::trim(f.text)) + "' " + text::describe(p.status));
        return std::nullopt;
    }

    const std::string& file() const { return file_; }

private:
    std::string file_;
    Diagnostics& d_;
};

bool is_time_name(const std::string& s) {
    const std::string l = text::lower(text::trim(s));
    return l == "time" || l == "year";
}

void read_wide(const std::vector<std::vector<Field>>& rows, Parser& p, CalibrationData& data, Diagnostics& d) {
    const auto& head = rows[0];
    std::map<std::string, const Field*> seen;
    for (std::size_t c = 1; c < head.size(); ++c) {
        const std::string name(text::trim(head[c].text));
        if (name.empty()) {
            p.error(head[c], "column " + std::to_string(c + 1) + " has no name; name the model variable it holds");
            continue;
        }
        if (auto [it, fresh] = seen.emplace(canonical_name(name), &head[c]); !fresh) {
            p.error(head[c], "column '" + name + "' appears twice (first at column " +
                                 std::to_string(it->second->col) + ")");
            continue;
        }
        data.columns.push_back(name);
    }
    if (d.has_errors()) return;
    const std::size_t nc = data.columns.size();
    data.weights.assign(nc, 1.0);
    bool have_weights = false;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        if (row.size() != head.size()) {
            p.error(row[0], "this row has " + std::to_string(row.size()) + " fields but the header has " +
                                std::to_string(head.size()));
            continue;
        }
        if (text::lower(text::trim(row[0].text)) == "weight") {
            if (have_weights) {
                p.error(row[0], "a second 'weight' row; give the weights once");
                continue;
            }
            have_weights = true;
            for (std::size_t c = 0; c < nc; ++c) {
                auto w = p.number(row[c + 1], true, "weight");
                if (!w) continue;
                if (std::isnan(*w)) continue;  // empty: the default 1
                if (!(*w >= 0)) p.error(row[c + 1], "a weight must be 0 or positive");
                else data.weights[c] = *w;
            }
            continue;
        }
        auto t = p.number(row[0], false, "time");
        if (!t) continue;
        if (!data.times.empty() && !(*t > data.times.back())) {
            p.error(row[0], "time " + text::number(*t) + " does not follow " + text::number(data.times.back()) +
                                "; list the rows in increasing time, each time once");
            continue;
        }
        data.times.push_back(*t);
        for (std::size_t c = 0; c < nc; ++c) {
            auto v = p.number(row[c + 1], true, "value");
            data.values.push_back(v ? *v : nan);
        }
    }
}

void read_long(const std::vector<std::vector<Field>>& rows, Parser& p, CalibrationData& data) {
    const auto& head = rows[0];
    std::size_t ti = 0, vi = 0, wi = 0;
    bool have_t = false, have_v = false, have_w = false;
    for (std::size_t c = 1; c < head.size(); ++c) {
        const std::string l = text::lower(text::trim(head[c].text));
        if (!have_t && is_time_name(l)) ti = c, have_t = true;
        else if (!have_v && l == "value") vi = c, have_v = true;
        else if (!have_w && l == "weight") wi = c, have_w = true;
    }
    if (!have_t || !have_v) {
        p.error(head[0], "a file whose first column is 'indicator' needs 'time' (or 'year') and 'value' columns");
        return;
    }
    struct Obs {
        std::size_t col;
        double t, v;
        const Field* at;
    };
    std::vector<Obs> obs;
    std::map<std::string, std::size_t> index;  // canonical column name -> column
    std::vector<double> weight;
    std::vector<const Field*> weight_at;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const std::size_t need = std::max({ti, vi, have_w ? wi : 0}) + 1;
        if (row.size() < need) {
            p.error(row[0], "this row has " + std::to_string(row.size()) + " fields; at least " +
                                std::to_string(need) + " are needed");
            continue;
        }
        const std::string name(text::trim(row[0].text));
        if (name.empty()) {
            p.error(row[0], "no indicator name");
            continue;
        }
        auto [it, fresh] = index.emplace(canonical_name(name), data.columns.size());
        if (fresh) {
            data.columns.push_back(name);
            weight.push_back(1.0);
            weight_at.push_back(nullptr);
        }
        auto t = p.number(row[ti], false, "time");
        auto v = p.number(row[vi], true, "value");
        if (have_w) {
            auto w = p.number(row[wi], true, "weight");
            if (w && !std::isnan(*w)) {
                if (!(*w >= 0)) p.error(row[wi], "a weight must be 0 or positive");
                else if (weight_at[it->second] && weight[it->second] != *w)
                    p.error(row[wi], "indicator '" + name + "' has weight " + text::number(weight[it->second]) +
                                         " on line " + std::to_string(weight_at[it->second]->line) +
                                         "; give one weight per indicator");
                else {
                    weight[it->second] = *w;
                    weight_at[it->second] = &row[wi];
                }
            }
        }
        if (t && v && !std::isnan(*v)) obs.push_back({it->second, *t, *v, &row[ti]});
    }
    for (const auto& o : obs) data.times.push_back(o.t);
    std::sort(data.times.begin(), data.times.end());
    data.times.erase(std::unique(data.times.begin(), data.times.end()), data.times.end());
    const std::size_t nc = data.columns.size();
    data.values.assign(data.times.size() * nc, nan);
    data.weights = weight;
    for (const auto& o : obs) {
        const auto row = static_cast<std::size_t>(std::lower_bound(data.times.begin(), data.times.end(), o.t) -
                                                  data.times.begin());
        double& cell = data.values[row * nc + o.col];
        if (!std::isnan(cell))
            p.error(*o.at, "a second value of '" + data.columns[o.col] + "' at time " + text::number(o.t));
        else
            cell = o.v;
    }
}

}  // namespace

CalibrationData parse_calibration_data(std::string_view text, const std::string& file, Diagnostics& diags) {
    CalibrationData data;
    data.file = file;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
    const std::size_t before = diags.error_count();
    auto rows = split_csv(text);
    Parser p(file, diags);
    if (rows.empty()) {
        diags.error(sim::Code::E_DATA, {file, 1, 1}, "", "the data file is empty; expected a header 'time,<variable>,...'");
        return data;
    }
    const std::string first = text::lower(text::trim(rows[0][0].text));
    if (first == "indicator" || first == "variable") read_long(rows, p, data);
    else if (rows[0].size() < 2)
        p.error(rows[0][0], "the header names no variable; expected 'time,<variable>,...'");
    else
        read_wide(rows, p, data, diags);
    if (diags.error_count() == before && data.times.empty())
        diags.error(sim::Code::E_DATA, {file, 1, 1}, "", "the data file holds no observations");
    return data;
}

CalibrationData read_calibration_data(const std::string& path, Diagnostics& diags, const Limits& limits) {
    // A data file is named inside a scenario: a regular file, read once, bounded.
    auto in = read_input(path, diags, limits, InputSource::regular);
    if (!in) {
        CalibrationData d;
        d.file = path;
        return d;
    }
    auto text = decode_text(in->bytes, path, TextFormat::text, diags);
    if (!text) {
        CalibrationData d;
        d.file = path;
        return d;
    }
    return parse_calibration_data(*text, path, diags);
}

}  // namespace sim
