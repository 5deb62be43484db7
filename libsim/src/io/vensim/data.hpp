// External data for the Vensim reader: GET DIRECT DATA/CONSTANTS/LOOKUPS
// and GET XLS DATA/CONSTANTS/LOOKUPS from .csv/.tab, .xls and .xlsx files
// beside the model (data.cpp, xls.cpp, xlsx.cpp). Every size a data file can inflate is
// bounded (docs/vensim.md).
#pragma once

#include <map>
#include <optional>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include "io/vensim/expand.hpp"

namespace sim::vensim {

struct DataSeries {
    std::vector<double> x, y;  // a lookup or data over time; a constant: y[0]
    bool constant = false;
};

// The values one GET ... call gives, per element of the variable's left-hand
// side (the key: canonical element names; empty for a scalar).
struct DataValues {
    bool lookup = false;       // GET ... LOOKUPS: a table called as table(x)
    bool extrapolate = false;  // data keywords
    std::map<std::vector<std::string>, DataSeries> by_elems;
    const DataSeries* find(const std::vector<std::string>& elems) const {
        auto it = by_elems.find(elems);
        return it == by_elems.end() ? nullptr : &it->second;
    }
};

inline constexpr std::size_t max_data_file_bytes = 64u << 20;        // a .csv/.tab file, an .xls or an .xlsx archive
inline constexpr std::size_t max_xlsx_part_bytes = 256u << 20;       // one decompressed part of an .xlsx
inline constexpr std::size_t max_data_cells = 10'000'000;            // cells of one sheet (.xls: of all sheets' grids)

// The values of a `GET ...` definition for the elements of its left-hand
// side (`choices`: the elements at each subscript position), or nullptr
// after reporting why not.
std::shared_ptr<const DataValues> read_data(const Def& d, const Parsed& m,
                                            const std::vector<std::vector<std::string>>& choices, Diagnostics& diags);

// A sheet: rows of cells, numbers only (anything else is blank).
using Grid = std::vector<std::vector<std::optional<double>>>;
struct NamedRange {
    std::string sheet;  // lower case
    std::size_t r0 = 0, c0 = 0, r1 = 0, c1 = 0;
};
struct Workbook {
    std::map<std::string, Grid> sheets;  // by lower-case name
    std::map<std::pair<std::string, std::string>, NamedRange> names;  // (sheet scope or "", lower-case name)
};
// xlsx.cpp, xls.cpp: false with `err` (naming the file) if it cannot be read.
// The data file exists and is at most max_data_file_bytes (else false and
// `err`): checked before any reader spends memory on it.
bool data_file_fits(const std::string& path, std::string& err);
bool read_xlsx(const std::string& path, Workbook& wb, std::string& err);
bool read_xls(const std::string& path, Workbook& wb, std::string& err);  // no named ranges
bool parse_cell(std::string_view s, std::size_t& row, std::size_t& col);

}  // namespace sim::vensim
