// Diagnostics: errors and warnings as collected values, each with its
// position and a code from one enum (docs/errors.md lists every code).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sim {

// A position in a source file. Lines and columns are 1-based; 0 means unknown.
struct SourceLoc {
    std::string file;
    int line = 0;
    int col = 0;
};

enum class Severity { error, warning, note };

// Every diagnostic code. Its display name is the enumerator with '_' as '-'
// (Code::E_UNKNOWN_NAME is "E-UNKNOWN-NAME"); E- codes are errors, W- codes
// warnings. To add one: append it here (before `count_`), give it a row in
// the table in util/diagnostic.cpp and a line in docs/errors.md (a test
// checks all three agree; docs/architecture.md, "How to add a diagnostic code").
enum class Code : std::uint16_t {
    none,  // no code (a diagnostic built by hand); displayed as ""
    E_ARG_COUNT,
    E_ARRAY_ARG,
    E_ARRAY_SIZE,
    E_ARRAY_VALUES,
    E_BAD_BOOL,
    E_BAD_METHOD,
    E_BAD_NAME,
    E_BAD_NUMBER,
    E_BAD_VALUE,
    E_BATCH,
    E_BUDGET,
    E_CALIBRATE,
    E_CHECK_AT,
    E_CHECK_FORM,
    E_COMPARE_AT,
    E_COMPARE_EFFECTS,
    E_COMPARE_INDICATOR,
    E_COMPARE_LEVER,
    E_COMPARE_NO_LEVERS,
    E_COMPARE_REPORT,
    E_COMPARE_RUN,
    E_COMPARE_TOO_MANY,
    E_CONST_ARG,
    E_CORRELATION,
    E_CORRELATION_MATRIX,
    E_CYCLE,
    E_DATA,
    E_DELAY_TIME,
    E_DIMENSION,
    E_DIMENSION_MISMATCH,
    E_DIST_KIND,
    E_DIST_PARAM,
    E_DIV_ZERO,
    E_DT,
    E_DUPLICATE,
    E_EMPTY,
    E_EMPTY_EQUATION,
    E_ENCODING,
    E_ENGINE,
    E_ENSEMBLE,
    E_ENSEMBLE_SIZE,
    E_EXTENDS_CYCLE,
    E_EXTENDS_NOT_FOUND,
    E_FLOW_LIST,
    E_GENERATE,
    E_GENERATED_MISMATCH,
    E_INCOMPLETE_DEFINITION,
    E_INTEGRATION,
    E_INTERNAL,
    E_IO,
    E_JSON_SYNTAX,
    E_JSON_TYPE,
    E_LEVER_INTENSITY,
    E_LEVER_START,
    E_LIMIT,
    E_LOOKUP_AS_VALUE,
    E_LOOKUP_EMPTY,
    E_LOOKUP_FORM,
    E_LOOKUP_KIND,
    E_LOOKUP_ORDER,
    E_LOOKUP_SIZE,
    E_LOOKUP_TABLE,
    E_MEMORY,
    E_MISSING_EQUATION,
    E_MISSING_INITIAL,
    E_MISSING_MODEL,
    E_MODEL_NOT_FOUND,
    E_NATIVE_COMPILE,
    E_NONFINITE,
    E_NOT_A_FLOW,
    E_NOT_A_STOCK,
    E_NOT_CALLABLE,
    E_NOT_CONSTANT,
    E_NO_CHECKS,
    E_NO_UNCERTAINTIES,
    E_OUTPUT,
    E_OVERLAPPING_DEFINITION,
    E_PARSE,
    E_REPORT_AT,
    E_RESERVED_NAME,
    E_RESULTS_TIME,
    E_SAVE_STEP,
    E_SENSITIVITY,
    E_SERVE_BUSY,
    E_SERVE_REQUEST,
    E_SPECS,
    E_STOP,
    E_SUBSCRIPT_RANGE,
    E_TOLERANCE,
    E_UNKNOWN_DIMENSION,
    E_UNKNOWN_ELEMENT,
    E_UNKNOWN_FUNCTION,
    E_UNKNOWN_KEY,
    E_UNKNOWN_LEVER,
    E_UNKNOWN_NAME,
    E_UNKNOWN_PARAM,
    E_VENSIM_DATA,
    E_VENSIM_MACRO,
    E_VENSIM_SUBSCRIPT,
    E_VENSIM_SYNTAX,
    E_VENSIM_UNSUPPORTED,
    E_XMILE_ARRAY,
    E_XMILE_COMMENT,
    E_XMILE_DUPLICATE,
    E_XMILE_EQN,
    E_XMILE_GF,
    E_XMILE_MACRO,
    E_XMILE_MODEL,
    E_XMILE_MODULE,
    E_XMILE_NAME,
    E_XMILE_ROOT,
    E_XMILE_SPECS,
    E_XMILE_UNSUPPORTED,
    E_XMILE_VALUE,
    E_XML_SYNTAX,
    E_YAML_SYNTAX,
    E_YAML_TYPE,
    W_CORRELATION_IGNORED,
    W_VENSIM_IGNORED,
    W_XMILE_AUX_AS_FLOW,
    W_XMILE_IGNORED,
    W_XMILE_METHOD,
    W_XMILE_NAMESPACE,
    W_XMILE_RECOVERED,
    W_XMILE_UNDECLARED_PREFIX,
    count_  // not a code: the number of enumerators
};

// One row of the display table.
struct CodeInfo {
    Code code;
    const char* name;     // "E-UNKNOWN-NAME"
    const char* meaning;  // one line: what it reports
};

// The display table, in enum order (every code, `none` first).
std::span<const CodeInfo> all_codes();
const char* name(Code c);     // "E-UNKNOWN-NAME"; "" for Code::none
const char* meaning(Code c);
std::optional<Code> parse_code(std::string_view name);  // exact display name

// One finding about a model, scenario or run.
struct Diagnostic {
    Severity severity = Severity::error;
    Code code = Code::none;  // stable identifier that tests pin
    SourceLoc loc;
    std::string variable;  // the variable the finding is about, "" if none
    std::string message;   // what is wrong and what to do
};

// "file:line:col: error: variable 'x': message [E-CODE]"
std::string format(const Diagnostic& d);

// An ordered collection; loaders and the compiler append and go on.
class Diagnostics {
public:
    void add(Diagnostic d) { items_.push_back(std::move(d)); }
    void error(Code code, SourceLoc loc, std::string variable, std::string message);
    void warning(Code code, SourceLoc loc, std::string variable, std::string message);

    bool has_errors() const;
    std::size_t error_count() const;
    std::size_t warning_count() const;
    const std::vector<Diagnostic>& items() const { return items_; }
    bool empty() const { return items_.empty(); }
    void append(const Diagnostics& other);
    std::string str() const;  // every diagnostic, one per line

private:
    std::vector<Diagnostic> items_;
};

// The one exception type that reaches a library caller: every throwing entry
// point (load, compile, run, compare, the writers) reports failure as a
// sim::Error carrying its Diagnostics. An error from the operating system
// (a file that cannot be written) also keeps its std::error_code.
class Error : public std::runtime_error {
public:
    explicit Error(Diagnostics diags, std::error_code os_error = {});
    // One error diagnostic without a position.
    Error(Code code, std::string variable, std::string message, std::error_code os_error = {});
    const Diagnostics& diagnostics() const { return diags_; }
    // The first error's code (Code::none if there is none).
    Code code() const;
    std::error_code os_error() const { return os_error_; }

private:
    Diagnostics diags_;
    std::error_code os_error_;
};

}  // namespace sim
