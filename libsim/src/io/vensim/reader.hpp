// The Vensim .mdl reader (private to io/vensim): records, left-hand sides,
// subscript ranges, macros, lookups, then one tree pass per element
// (reader*.cpp: reader_detail.hpp; expand*.cpp). External data: data.cpp.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lang/builtins.hpp"
#include "sim/diagnostic.hpp"
#include "sim/spec.hpp"
#include "util/text.hpp"

namespace sim::vensim {

// Bounds on what a file can inflate (docs/vensim.md).
inline constexpr std::size_t max_elements = 1'000'000;   // element variables in a model, all arrays
inline constexpr std::size_t max_dim_size = 100'000;     // elements of one dimension
inline constexpr int max_macro_depth = 32;               // macros calling macros
inline constexpr std::size_t max_macro_instances = 100'000;
// Elements of one VECTOR SELECT/RANK/SORT ORDER/REORDER/ALLOCATE AVAILABLE, unrolled per element
// (a rank is n terms, a sort order n^2; Limits::operations bounds the total).
inline constexpr std::size_t max_vector_elements = ast::vensim_max_vector;
// Rows of one INVERT MATRIX: each of its n^2 elements is an elimination
// over the whole matrix at every evaluation, n^3 operations.
inline constexpr std::size_t max_matrix_size = ast::vensim_max_matrix;

// A dimension (Vensim "subscript range"): elements in order, canonical and
// as written; the dimensions it maps onto positionally (`-> B`).
struct Dim {
    std::string name;
    std::vector<std::string> elems;    // canonical
    std::vector<std::string> display;  // as written
    std::vector<std::string> maps_to;  // canonical dimension names
    SourceLoc loc;
    std::size_t order = 0;             // definitions in file order
};

// One definition record of a variable: `name[subs] :EXCEPT: [..] = rhs`.
struct Def {
    enum class Kind { equation, stock, lookup, values, data } kind = Kind::equation;
    std::string name;                              // as written
    std::string canonical;
    std::vector<std::string> subs;                 // canonical, as written on the left
    std::vector<std::vector<std::string>> except;  // each a list of canonical subscripts
    Equation eq;                                   // equation; stock: rate
    Equation init;                                 // stock: initial value
    std::optional<GraphicalFunction> gf;           // lookup, or WITH LOOKUP's table
    std::vector<double> values;                    // constant list / TABBED ARRAY / data constants
    std::string data_mode;                         // :INTERPOLATE: :HOLD BACKWARD: :LOOK FORWARD: :RAW: (canonical)
    SourceLoc loc;                                 // of the name on the left
    std::string units, doc;
};

struct Macro {
    std::string name, canonical;
    std::vector<std::string> inputs;  // canonical
    std::vector<Def> defs;
    SourceLoc loc;
};

// Position helper over the whole file.
class Text {
public:
    Text(std::string text, std::string file);
    const std::string& str() const { return s_; }
    const std::string& file() const { return file_; }
    SourceLoc at(std::size_t off) const;

private:
    std::string s_;
    std::string file_;
    std::vector<std::size_t> line_starts_;
    mutable text::Columns columns_;  // columns count characters
};

// Parses a lookup table `( [(x0,y0)-(x1,y1)], (x,y), ... )`, `((x,y), ...)`
// or `(x1, ..., xn, y1, ..., yn)` between [begin, end) of `s` (the outer
// parentheses included). nullopt and a message if it is not one.
std::optional<GraphicalFunction> parse_table(std::string_view s, std::string& error, std::size_t& error_at);

}  // namespace sim::vensim
