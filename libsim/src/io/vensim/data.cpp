// External data (data.hpp): GET DIRECT/XLS DATA, CONSTANTS and LOOKUPS.
// Arguments: ('file', 'sheet' or delimiter, ['time row or column',] 'cell').
// The cell is a reference (B2) or a named range of the workbook; a trailing
// '*' reads constants transposed. Data over time runs across a row when the
// time argument is a row number (one row per element) and down a column
// when it is a column letter (one column per element).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/vensim/data.hpp"
#include "util/text.hpp"

namespace sim::vensim {

bool data_file_fits(const std::string& path, std::string& err) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        err = "cannot open '" + path + "'";
        return false;
    }
    if (size > max_data_file_bytes) {
        err = "'" + path + "' is larger than " + std::to_string(max_data_file_bytes >> 20) + " MiB";
        return false;
    }
    return true;
}

namespace {

struct Call {
    std::string fn;  // get_direct_data, get_xls_constants, ...
    std::vector<std::string> args;
};

bool parse_call(const std::string& t, Call& c, std::string& err) {
    auto open = t.find('(');
    if (open == std::string::npos) {
        err = "expected '(' after the function name";
        return false;
    }
    c.fn = canonical_name(std::string_view(t).substr(0, open));
    std::size_t p = open + 1;
    for (;;) {
        while (p < t.size() && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r')) ++p;
        if (p >= t.size()) {
            err = "unterminated argument list";
            return false;
        }
        char q = t[p];
        if (q != '\'' && q != '"') {
            err = "each argument is a quoted string, as in 'data.csv'";
            return false;
        }
        auto close = t.find(q, p + 1);
        if (close == std::string::npos) {
            err = "unterminated string";
            return false;
        }
        c.args.push_back(t.substr(p + 1, close - p - 1));
        p = close + 1;
        while (p < t.size() && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r')) ++p;
        if (p < t.size() && t[p] == ',') {
            ++p;
            continue;
        }
        if (p < t.size() && t[p] == ')') return true;
        err = "expected ',' or ')' between the arguments";
        return false;
    }
}

bool read_delimited(const std::string& path, char delim, Grid& g, std::string& err) {
    if (!data_file_fits(path, err)) return false;
    std::ifstream in(path, std::ios::binary);
    std::string line;
    std::size_t cells = 0;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::vector<std::optional<double>> row;
        std::size_t b = 0;
        for (;;) {
            auto e = line.find(delim, b);
            std::string cell = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
            if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
            auto v = text::parse_number(cell);
            row.push_back(v ? std::optional<double>(v.value) : std::nullopt);
            if (++cells > max_data_cells) {
                err = "'" + path + "' has more than " + std::to_string(max_data_cells) + " cells";
                return false;
            }
            if (e == std::string::npos) break;
            b = e + 1;
        }
        g.push_back(std::move(row));
    }
    return true;
}

std::optional<double> cell(const Grid& g, std::size_t r, std::size_t c) {
    if (r >= g.size() || c >= g[r].size()) return std::nullopt;
    return g[r][c];
}

thread_local std::size_t files_read = 0;

}  // namespace

namespace detail {
std::size_t data_files_read() { return files_read; }
std::size_t& held_data_cells_limit() {
    thread_local std::size_t limit = max_data_cells;
    return limit;
}
}  // namespace detail

const DataFiles::File& DataFiles::get(const std::string& path, const std::string& ext, char delim) {
    const bool workbook = ext == ".xls" || ext == ".xlsx";
    auto [it, added] = files_.try_emplace({path, workbook ? -1 : static_cast<unsigned char>(delim)});
    File& f = it->second;
    if (!added) return f;
    ++files_read;
    try {
        if (workbook) f.ok = (ext == ".xls" ? read_xls : read_xlsx)(path, f.wb, f.err);
        else f.ok = read_delimited(path, delim, f.grid, f.err);
    } catch (...) {  // (std::bad_alloc) nothing half-read is left behind
        files_.erase(it);
        throw;
    }
    if (!f.ok) {  // kept as the failure it is (its error), never as an empty file
        f.wb = Workbook();
        f.grid = Grid();
    }
    // Held files are bounded together as one file is (max_data_cells): when
    // this one brings the total above it, the others are let go (read again
    // if named again), so a load holds at most about twice what reading one
    // file at a time held.
    auto count = [](const Grid& g) {
        std::size_t n = 0;
        for (const auto& row : g) n += row.size();
        return n;
    };
    f.cells = count(f.grid);
    for (const auto& [name, sheet] : f.wb.sheets) f.cells += count(sheet);
    held_cells_ += f.cells;
    if (held_cells_ > detail::held_data_cells_limit()) {
        for (auto o = files_.begin(); o != files_.end();)
            o = o == it ? std::next(o) : files_.erase(o);
        held_cells_ = f.cells;
    }
    return f;
}

std::shared_ptr<const DataValues> read_data(const Def& d, const Parsed& m,
                                            const std::vector<std::vector<std::string>>& choices, Diagnostics& diags,
                                            DataFiles& files) {
    auto fail = [&](const std::string& msg) -> std::shared_ptr<const DataValues> {
        diags.error(sim::Code::E_VENSIM_DATA, d.eq.loc, d.name, msg);
        return nullptr;
    };
    Call c;
    std::string err;
    if (!parse_call(d.eq.text, c, err)) return fail("cannot read the GET call: " + err);
    auto kind_of = [&](std::string_view suffix) {
        return c.fn == "get_direct_" + std::string(suffix) || c.fn == "get_xls_" + std::string(suffix);
    };
    const bool constants = kind_of("constants"), data = kind_of("data"), lookups = kind_of("lookups");
    if (!constants && !data && !lookups)
        return fail("unsupported external-data function '" + c.fn +
                    "' (supported: GET DIRECT/XLS DATA, CONSTANTS and LOOKUPS)");
    const std::size_t want = constants ? 3 : 4;
    if (c.args.size() != want)
        return fail("'" + c.fn + "' takes " + std::to_string(want) + " arguments, but " + std::to_string(c.args.size()) +
                    " were given");
    // The file, beside the model.
    std::filesystem::path path = std::filesystem::path(m.file).parent_path() / c.args[0];
    std::string ext = text::lower(path.extension().string());
    const DataFiles::File* file = nullptr;
    const Grid* grid = nullptr;
    std::string sheet = text::lower(c.args[1]);
    if (ext == ".xls" || ext == ".xlsx") {
        file = &files.get(path.string(), ext, 0);  // a workbook: no delimiter
    } else if (ext == ".csv" || ext == ".tab" || ext == ".txt") {
        char delim = c.args[1] == "\\t" || c.args[1] == "\t" || ext == ".tab" ? '\t' : (c.args[1].empty() ? ',' : c.args[1][0]);
        file = &files.get(path.string(), ext, delim);
        grid = &file->grid;
    } else {
        return fail("data file '" + c.args[0] + "': only .csv, .tab, .xls and .xlsx files are read");
    }
    if (!file->ok) return fail(file->err);
    const Workbook& wb = file->wb;
    // A cell reference or a named range -> sheet, first cell, extent.
    struct Where {
        const Grid* g = nullptr;
        std::size_t r = 0, c = 0, rows = 0, cols = 0;  // rows/cols: 0 = open-ended
    };
    auto locate = [&](std::string ref, Where& w) -> bool {
        if (!ref.empty() && ref.back() == '*') ref.pop_back();
        if (parse_cell(ref, w.r, w.c)) {
            if (grid) w.g = grid;
            else {
                auto it = wb.sheets.find(sheet);
                if (it == wb.sheets.end()) {
                    err = "the workbook has no sheet '" + c.args[1] + "'";
                    return false;
                }
                w.g = &it->second;
            }
            return true;
        }
        if (grid) {
            err = "'" + ref + "' is not a cell reference (like B2)";
            return false;
        }
        const std::string key = text::lower(ref);
        auto it = wb.names.find({sheet, key});
        if (it == wb.names.end()) it = wb.names.find({"", key});
        if (it == wb.names.end()) {
            err = "'" + ref + "' is neither a cell reference (like B2) nor a named range of the workbook";
            return false;
        }
        auto st = wb.sheets.find(it->second.sheet);
        if (st == wb.sheets.end()) {
            err = "named range '" + ref + "' refers to a missing sheet";
            return false;
        }
        w.g = &st->second;
        w.r = it->second.r0;
        w.c = it->second.c0;
        w.rows = it->second.r1 - it->second.r0 + 1;
        w.cols = it->second.c1 - it->second.c0 + 1;
        return true;
    };
    const std::string& cell_arg = c.args.back();
    const bool transposed = !cell_arg.empty() && cell_arg.back() == '*';
    Where at;
    if (!locate(cell_arg, at)) return fail(err);
    auto out = std::make_shared<DataValues>();
    out->lookup = lookups;
    // Every element combination, row-major, with its position indices.
    std::vector<std::vector<std::string>> combos{{}};
    std::vector<std::vector<std::size_t>> idx{{}};
    for (const auto& ch : choices) {
        std::vector<std::vector<std::string>> nc;
        std::vector<std::vector<std::size_t>> ni;
        for (std::size_t k = 0; k < combos.size(); ++k)
            for (std::size_t i = 0; i < ch.size(); ++i) {
                nc.push_back(combos[k]);
                nc.back().push_back(ch[i]);
                ni.push_back(idx[k]);
                ni.back().push_back(i);
            }
        combos = std::move(nc);
        idx = std::move(ni);
    }
    if (constants) {
        // A named range holding exactly the values: filled in order (a row
        // or a column), row by row, or column by column when transposed.
        // A position of one element (`x[dim, female]`) is not a dimension of the values.
        std::vector<std::size_t> dims;
        for (std::size_t p = 0; p < choices.size(); ++p)
            if (choices[p].size() > 1) dims.push_back(p);
        const bool filled = at.rows && at.rows * at.cols == combos.size();
        if (dims.size() > 2 && !filled) return fail("GET CONSTANTS for more than two subscripts is not supported");
        for (std::size_t k = 0; k < combos.size(); ++k) {
            std::size_t i = dims.size() > 0 ? idx[k][dims[0]] : 0, j = dims.size() > 1 ? idx[k][dims[1]] : 0;
            std::size_t dr = 0, dc = 0;
            if (filled) {
                if (at.rows == 1) dc = k;
                else if (at.cols == 1) dr = k;
                else if (!transposed) dr = k / at.cols, dc = k % at.cols;
                else dr = k % at.rows, dc = k / at.rows;
            } else if (dims.size() == 1) (transposed ? dr : dc) = i;
            else if (dims.size() == 2) {
                dr = transposed ? j : i;
                dc = transposed ? i : j;
            }
            auto v = cell(*at.g, at.r + dr, at.c + dc);
            if (!v) return fail("no number in the data cell for element " + std::to_string(k + 1) + " of '" + d.name + "'");
            DataSeries s;
            s.constant = true;
            s.y = {*v};
            out->by_elems[combos[k]] = std::move(s);
        }
        return out;
    }
    // Data or lookups: where the times are.
    const std::string& time_arg = c.args[2];
    bool across;  // times along a row
    std::size_t tr = 0, tc = 0;
    Where tw;
    bool all_digits = !time_arg.empty() && time_arg.find_first_not_of("0123456789") == std::string::npos;
    bool all_letters = !time_arg.empty() && time_arg.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == std::string::npos && time_arg.size() <= 3;
    if (all_digits && time_arg.size() <= 7) {
        across = true;
        tr = std::stoul(time_arg) - 1;
        tc = at.c;
        tw.g = at.g;
    } else if (all_letters) {
        across = false;
        std::size_t dummy;
        parse_cell(time_arg + "1", dummy, tc);
        tr = at.r;
        tw.g = at.g;
    } else {
        if (!locate(time_arg, tw)) return fail(err);
        across = tw.rows == 1 && tw.cols > 1;
        tr = tw.r;
        tc = tw.c;
    }
    for (std::size_t k = 0; k < combos.size(); ++k) {
        DataSeries s;
        const std::size_t off = k;
        for (std::size_t step = 0;; ++step) {
            std::size_t r = across ? tr : tr + step, col = across ? tc + step : tc;
            if (tw.rows && (across ? step >= tw.cols : step >= tw.rows)) break;
            auto t = cell(*tw.g, r, col);
            if (!t) {
                if (across ? col >= 16384 || r >= tw.g->size() || col >= (*tw.g)[r].size() : r >= tw.g->size()) break;
                continue;
            }
            auto v = across ? cell(*at.g, at.r + off, at.c + step) : cell(*at.g, at.r + step, at.c + off);
            if (!v) continue;  // a missing value: interpolated over
            if (!s.x.empty() && *t <= s.x.back()) break;
            s.x.push_back(*t);
            s.y.push_back(*v);
        }
        if (s.x.empty()) return fail("no data found for element " + std::to_string(k + 1) + " of '" + d.name + "'");
        out->by_elems[combos[k]] = std::move(s);
    }
    return out;
}

}  // namespace sim::vensim
