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

// The data files of one model load (the Expander owns one, so nothing is
// kept from one load to the next and loads on other threads share
// nothing): each file, by its path as resolved beside the model and, for a
// .csv/.tab/.txt, its delimiter, is read and parsed once however many GET
// calls name it. A file that cannot be read keeps its error, which every
// call naming it reports as if it had read the file itself. The files held
// together stay within max_data_cells (beyond it, all but the newest are let
// go and read again when named again).
class DataFiles {
public:
    struct File {
        bool ok = false;
        std::string err;  // why not, when !ok
        Workbook wb;      // .xls, .xlsx
        Grid grid;        // .csv, .tab, .txt
        std::size_t cells = 0;  // in wb's sheets or grid
    };
    // `path` read as a workbook (`ext` .xls or .xlsx: `delim` unused) or as
    // text delimited by `delim`; the first call reads it, later ones share it.
    const File& get(const std::string& path, const std::string& ext, char delim);

private:
    // By (path, delimiter as unsigned char; -1 for a workbook). A std::map:
    // the references get gives stay valid as files are added.
    std::map<std::pair<std::string, int>, File> files_;
    std::size_t held_cells_ = 0;  // of every file in files_; at most max_data_cells but for the newest
};

// The values of a `GET ...` definition for the elements of its left-hand
// side (`choices`: the elements at each subscript position), or nullptr
// after reporting why not. Its file is read through `files`.
std::shared_ptr<const DataValues> read_data(const Def& d, const Parsed& m,
                                            const std::vector<std::vector<std::string>>& choices, Diagnostics& diags,
                                            DataFiles& files);

// xlsx.cpp, xls.cpp: false with `err` (naming the file) if it cannot be read.
// The data file exists and is at most max_data_file_bytes (else false and
// `err`): checked before any reader spends memory on it.
bool data_file_fits(const std::string& path, std::string& err);
bool read_xlsx(const std::string& path, Workbook& wb, std::string& err);
bool read_xls(const std::string& path, Workbook& wb, std::string& err);  // no named ranges
bool parse_cell(std::string_view s, std::size_t& row, std::size_t& col);

namespace detail {
// How many data files DataFiles has read (parsed, or failed to) on this
// thread (tests).
std::size_t data_files_read();
// The cells DataFiles holds together before letting all but the newest
// file go: max_data_cells; tests lower it (on their thread).
std::size_t& held_data_cells_limit();
}  // namespace detail

}  // namespace sim::vensim
