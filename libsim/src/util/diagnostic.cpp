// Diagnostics and the one display table of diagnostic codes.
#include "sim/diagnostic.hpp"

#include <algorithm>
#include <array>

namespace sim {

namespace {

using C = Code;

// In enum order; docs/errors.md says the same at more length.
constexpr std::array<CodeInfo, static_cast<std::size_t>(Code::count_)> table{{
    {C::none, "", "no code"},
    {C::E_ARG_COUNT, "E-ARG-COUNT", "a builtin or graphical function is called with the wrong number of arguments"},
    {C::E_ARRAY_ARG, "E-ARRAY-ARG", "an array function is given something that is not an array, or arrays that do not fit"},
    {C::E_ARRAY_SIZE, "E-ARRAY-SIZE", "a dimension, an arrayed variable or the model has more elements than the limit"},
    {C::E_ARRAY_VALUES, "E-ARRAY-VALUES", "a list of numbers for an array has more or fewer values than the elements it defines"},
    {C::E_BAD_BOOL, "E-BAD-BOOL", "a value that must be true or false is not"},
    {C::E_BAD_METHOD, "E-BAD-METHOD", "unknown integration method"},
    {C::E_BAD_NAME, "E-BAD-NAME", "an empty or non-scalar variable or lever name"},
    {C::E_BAD_NUMBER, "E-BAD-NUMBER", "a value that must be a number is not, or is out of range"},
    {C::E_BAD_VALUE, "E-BAD-VALUE", "a value outside the allowed set (e.g. an indicator's 'better')"},
    {C::E_BATCH, "E-BATCH", "the parameter sets or the output buffer given to a batch do not match it"},
    {C::E_BUDGET, "E-BUDGET", "a run exceeds its step or wall-clock budget, or the budget itself is invalid"},
    {C::E_CALIBRATE, "E-CALIBRATE", "bad calibration options: no parameter to fit, a parameter without bounds, an unknown data column, a failed fit"},
    {C::E_CHECK_AT, "E-CHECK-AT", "a behaviour check names a time that is not a saved time of its run"},
    {C::E_CHECK_FORM, "E-CHECK-FORM", "a behaviour check (checks:) that is malformed: missing or conflicting keys, an unknown variable"},
    {C::E_COMPARE_AT, "E-COMPARE-AT", "a comparison report time outside the run"},
    {C::E_COMPARE_EFFECTS, "E-COMPARE-EFFECTS", "factorial effects asked of a number of values that is not 2^k (k <= 24)"},
    {C::E_COMPARE_INDICATOR, "E-COMPARE-INDICATOR", "a comparison indicator the model does not have, or none at all"},
    {C::E_COMPARE_LEVER, "E-COMPARE-LEVER", "a comparison lever the model does not have, or listed twice"},
    {C::E_COMPARE_NO_LEVERS, "E-COMPARE-NO-LEVERS", "a comparison of a model without levers"},
    {C::E_COMPARE_REPORT, "E-COMPARE-REPORT", "comparison outputs asked of an empty comparison"},
    {C::E_COMPARE_RUN, "E-COMPARE-RUN", "the runs of a comparison saved no rows or different times"},
    {C::E_COMPARE_TOO_MANY, "E-COMPARE-TOO-MANY", "more than 16 levers to combine"},
    {C::E_CONST_ARG, "E-CONST-ARG", "an argument that must be a constant written in the equation is not"},
    {C::E_CORRELATION, "E-CORRELATION", "a rank correlation naming an undeclared parameter, itself, or a value outside [-1, 1]"},
    {C::E_CORRELATION_MATRIX, "E-CORRELATION-MATRIX", "the declared rank correlations do not form a positive-definite matrix"},
    {C::E_CYCLE, "E-CYCLE", "an algebraic loop or circular initial values"},
    {C::E_DATA, "E-DATA", "a data file (calibration data) that cannot be read: bad header, non-numeric cell, no observations"},
    {C::E_DELAY_TIME, "E-DELAY-TIME", "a delay or smoothing time is negative"},
    {C::E_DIMENSION, "E-DIMENSION", "an invalid dimension declaration: no elements, an element listed twice, an unknown or circular element reference, a bad equivalence or mapping"},
    {C::E_DIMENSION_MISMATCH, "E-DIMENSION-MISMATCH", "a subscript does not fit the dimension at its position (wrong count, an element of another dimension, a dimension not iterated by the equation)"},
    {C::E_DIST_KIND, "E-DIST-KIND", "an unknown distribution in uncertainties:"},
    {C::E_DIST_PARAM, "E-DIST-PARAM", "a distribution parameter missing, not a number, or outside its support (min >= max, sd <= 0, ...)"},
    {C::E_DIV_ZERO, "E-DIV-ZERO", "a division by zero made a value infinite or NaN during a run"},
    {C::E_DT, "E-DT", "the time step is not a positive number"},
    {C::E_DUPLICATE, "E-DUPLICATE", "a name, key, lever or indicator defined twice"},
    {C::E_EMPTY, "E-EMPTY", "the file has no content"},
    {C::E_EMPTY_EQUATION, "E-EMPTY-EQUATION", "an equation that is empty"},
    {C::E_ENCODING, "E-ENCODING", "the file is not valid text in its encoding (UTF-8, or one it declares), or holds a NUL byte"},
    {C::E_ENGINE, "E-ENGINE", "the engine asked for cannot run this model (no generated code, or no C++ compiler to make it)"},
    {C::E_ENSEMBLE, "E-ENSEMBLE", "bad ensemble options (no indicator, unknown variable, report time outside the run) or a failed run of an ensemble"},
    {C::E_ENSEMBLE_SIZE, "E-ENSEMBLE-SIZE", "an ensemble (samples x runs x kept values) larger than the limit, refused before any run"},
    {C::E_EXTENDS_CYCLE, "E-EXTENDS-CYCLE", "scenarios that extend each other in a cycle"},
    {C::E_EXTENDS_NOT_FOUND, "E-EXTENDS-NOT-FOUND", "the scenario named by 'extends:' does not exist"},
    {C::E_FLOW_LIST, "E-FLOW-LIST", "a flow listed twice for one stock, or as both an inflow and an outflow of it"},
    {C::E_GENERATE, "E-GENERATE", "the C++ code of a model could not be generated or written (a bad class or namespace name, an unwritable directory)"},
    {C::E_GENERATED_MISMATCH, "E-GENERATED-MISMATCH", "generated code does not match the model as this libsim compiles it; regenerate it"},
    {C::E_INCOMPLETE_DEFINITION, "E-INCOMPLETE-DEFINITION", "the definitions of an arrayed variable leave some of its elements undefined"},
    {C::E_INTEGRATION, "E-INTEGRATION", "the integrator failed (e.g. the adaptive step shrank to nothing)"},
    {C::E_INTERNAL, "E-INTERNAL", "an unexpected failure inside libsim (a bug: please report it)"},
    {C::E_IO, "E-IO", "a file or directory cannot be read or written"},
    {C::E_JSON_SYNTAX, "E-JSON-SYNTAX", "a request body that is not valid JSON, or nests deeper or holds more values than the server accepts"},
    {C::E_JSON_TYPE, "E-JSON-TYPE", "a JSON value of the wrong type (object, array, string, number or boolean) in a request body"},
    {C::E_LEVER_INTENSITY, "E-LEVER-INTENSITY", "a lever intensity outside [0, 1]"},
    {C::E_LEVER_START, "E-LEVER-START", "a lever starts outside the run"},
    {C::E_LIMIT, "E-LIMIT", "an input exceeds a resource limit (input size, nesting depth, variables, array elements, module instances); the message names the option that raises it"},
    {C::E_LOOKUP_AS_VALUE, "E-LOOKUP-AS-VALUE", "a graphical function used as a value instead of called"},
    {C::E_LOOKUP_EMPTY, "E-LOOKUP-EMPTY", "a lookup without points"},
    {C::E_LOOKUP_FORM, "E-LOOKUP-FORM", "lookup points not written as [x, y] pairs"},
    {C::E_LOOKUP_KIND, "E-LOOKUP-KIND", "unknown lookup kind"},
    {C::E_LOOKUP_ORDER, "E-LOOKUP-ORDER", "lookup x values not strictly increasing"},
    {C::E_LOOKUP_SIZE, "E-LOOKUP-SIZE", "lookup x and y of different lengths, or one missing"},
    {C::E_LOOKUP_TABLE, "E-LOOKUP-TABLE", "a graphical function table that cannot be compiled"},
    {C::E_MEMORY, "E-MEMORY", "a run or experiment ran out of memory, or would need more than its memory budget (--max-memory)"},
    {C::E_MISSING_EQUATION, "E-MISSING-EQUATION", "a flow or auxiliary without an equation"},
    {C::E_MISSING_INITIAL, "E-MISSING-INITIAL", "a stock without an initial value"},
    {C::E_MISSING_MODEL, "E-MISSING-MODEL", "a scenario that names no model"},
    {C::E_MODEL_NOT_FOUND, "E-MODEL-NOT-FOUND", "the model file a scenario names does not exist"},
    {C::E_NATIVE_COMPILE, "E-NATIVE-COMPILE", "native mode could not compile or load the generated code"},
    {C::E_NONFINITE, "E-NONFINITE", "a value turned NaN or infinite during a run"},
    {C::E_NOT_A_FLOW, "E-NOT-A-FLOW", "an inflow or outflow that is not a flow"},
    {C::E_NOT_A_STOCK, "E-NOT-A-STOCK", "inflows or outflows given to a variable that is not a stock"},
    {C::E_NOT_CALLABLE, "E-NOT-CALLABLE", "a call of a variable that is not a graphical function"},
    {C::E_NOT_CONSTANT, "E-NOT-CONSTANT", "an override of a variable that is not a constant"},
    {C::E_NO_CHECKS, "E-NO-CHECKS", "behaviour checks asked for (sdsim check --behaviour) but the model or scenario declares no 'checks:'"},
    {C::E_NO_UNCERTAINTIES, "E-NO-UNCERTAINTIES", "sampling asked for (sensitivity, compare --samples) but the model or scenario declares no 'uncertainties:'"},
    {C::E_OUTPUT, "E-OUTPUT", "an output is refused: it would replace an input or a read-only file, or its directory holds files the output did not make"},
    {C::E_OVERLAPPING_DEFINITION, "E-OVERLAPPING-DEFINITION", "two definitions of an arrayed variable define the same element"},
    {C::E_PARSE, "E-PARSE", "an equation that cannot be parsed"},
    {C::E_REPORT_AT, "E-REPORT-AT", "a scenario report time outside the run"},
    {C::E_RESERVED_NAME, "E-RESERVED-NAME", "a variable named like a reserved word (TIME, DT, ...)"},
    {C::E_RESULTS_TIME, "E-RESULTS-TIME", "a value asked of results at a time outside the saved run"},
    {C::E_SAVE_STEP, "E-SAVE-STEP", "a save step that is not a positive whole multiple of dt"},
    {C::E_SENSITIVITY, "E-SENSITIVITY", "bad sensitivity options: no uncertain parameter, too few samples, an unknown method"},
    {C::E_SERVE_BUSY, "E-SERVE-BUSY", "every run slot of the dashboard server is taken; retry shortly"},
    {C::E_SERVE_REQUEST, "E-SERVE-REQUEST", "an HTTP request the dashboard server does not serve: unknown path or method, a body over the size limit, a foreign Host header"},
    {C::E_SPECS, "E-SPECS", "start or stop time that is not a finite number"},
    {C::E_STOP, "E-STOP", "stop time before start time"},
    {C::E_SUBSCRIPT_RANGE, "E-SUBSCRIPT-RANGE", "a numeric subscript outside 1..size of its dimension"},
    {C::E_TOLERANCE, "E-TOLERANCE", "rk45 tolerances that are not positive"},
    {C::E_UNKNOWN_DIMENSION, "E-UNKNOWN-DIMENSION", "a variable is declared over a dimension that does not exist"},
    {C::E_UNKNOWN_ELEMENT, "E-UNKNOWN-ELEMENT", "a subscript names neither an element of the dimension at that position nor a dimension"},
    {C::E_UNKNOWN_FUNCTION, "E-UNKNOWN-FUNCTION", "a call of a function that does not exist"},
    {C::E_UNKNOWN_KEY, "E-UNKNOWN-KEY", "a key the file format does not know"},
    {C::E_UNKNOWN_LEVER, "E-UNKNOWN-LEVER", "a scenario sets a lever the model does not have"},
    {C::E_UNKNOWN_NAME, "E-UNKNOWN-NAME", "a name that is not a variable of the model"},
    {C::E_UNKNOWN_PARAM, "E-UNKNOWN-PARAM", "a scenario sets a constant the model does not have"},
    {C::E_VENSIM_DATA, "E-VENSIM-DATA", "external data (GET DIRECT/XLS) that cannot be read: missing file, sheet or cell, malformed or too large"},
    {C::E_VENSIM_MACRO, "E-VENSIM-MACRO", "a Vensim macro problem: wrong argument count, recursive or too deep expansion"},
    {C::E_VENSIM_SUBSCRIPT, "E-VENSIM-SUBSCRIPT", "a Vensim subscript problem: unknown dimension or element, a dimension not on the left-hand side, too many elements"},
    {C::E_VENSIM_SYNTAX, "E-VENSIM-SYNTAX", "a Vensim .mdl file is malformed: a record, name, subscript list or table that cannot be read"},
    {C::E_VENSIM_UNSUPPORTED, "E-VENSIM-UNSUPPORTED", "a Vensim construct or function libsim does not implement (named in the message)"},
    {C::E_XMILE_ARRAY, "E-XMILE-ARRAY", "an XMILE array or dimension that cannot be read"},
    {C::E_XMILE_COMMENT, "E-XMILE-COMMENT", "an XMILE equation comment that is never closed"},
    {C::E_XMILE_DUPLICATE, "E-XMILE-DUPLICATE", "an XMILE variable defined more than once"},
    {C::E_XMILE_EQN, "E-XMILE-EQN", "an XMILE variable without <eqn>"},
    {C::E_XMILE_GF, "E-XMILE-GF", "an XMILE graphical function that cannot be read"},
    {C::E_XMILE_MACRO, "E-XMILE-MACRO", "an XMILE macro problem: a malformed <macro>, a wrong argument count, a recursive macro"},
    {C::E_XMILE_MODEL, "E-XMILE-MODEL", "an XMILE file without <model>"},
    {C::E_XMILE_MODULE, "E-XMILE-MODULE", "an XMILE module that cannot be connected"},
    {C::E_XMILE_NAME, "E-XMILE-NAME", "an XMILE variable without a name"},
    {C::E_XMILE_ROOT, "E-XMILE-ROOT", "the root element is not <xmile>"},
    {C::E_XMILE_SPECS, "E-XMILE-SPECS", "missing or invalid XMILE <sim_specs>"},
    {C::E_XMILE_UNSUPPORTED, "E-XMILE-UNSUPPORTED", "an XMILE feature libsim does not support"},
    {C::E_XMILE_VALUE, "E-XMILE-VALUE", "an XMILE flag element with a value other than true/false"},
    {C::E_XML_SYNTAX, "E-XML-SYNTAX", "the file is not well-formed XML"},
    {C::E_YAML_SYNTAX, "E-YAML-SYNTAX", "YAML syntax error"},
    {C::E_YAML_TYPE, "E-YAML-TYPE", "a YAML node of the wrong kind (mapping, list or scalar)"},
    {C::W_CORRELATION_IGNORED, "W-CORRELATION-IGNORED", "declared rank correlations are ignored by a design that cannot honour them (Sobol, Morris)"},
    {C::W_VENSIM_IGNORED, "W-VENSIM-IGNORED", "a Vensim construct that is read but has no effect on the run (named in the message)"},
    {C::W_XMILE_AUX_AS_FLOW, "W-XMILE-AUX-AS-FLOW", "an XMILE <aux> listed as a stock's flow is read as a flow"},
    {C::W_XMILE_IGNORED, "W-XMILE-IGNORED", "an XMILE element libsim ignores"},
    {C::W_XMILE_METHOD, "W-XMILE-METHOD", "an XMILE integration method replaced by another"},
    {C::W_XMILE_NAMESPACE, "W-XMILE-NAMESPACE", "an XMILE file without the XMILE namespace"},
    {C::W_XMILE_RECOVERED, "W-XMILE-RECOVERED", "a malformation of a Vensim export (nested, doubled <dimensions>) read the way it was meant"},
    {C::W_XMILE_UNDECLARED_PREFIX, "W-XMILE-UNDECLARED-PREFIX", "an XML namespace prefix used but never declared"},
}};

constexpr bool table_in_enum_order() {
    for (std::size_t i = 0; i < table.size(); ++i)
        if (static_cast<std::size_t>(table[i].code) != i) return false;
    return true;
}
static_assert(table_in_enum_order(), "the code table must list every Code once, in enum order");

const CodeInfo& info(Code c) {
    auto i = static_cast<std::size_t>(c);
    return i < table.size() ? table[i] : table[0];
}

}  // namespace

std::span<const CodeInfo> all_codes() { return table; }
const char* name(Code c) { return info(c).name; }
const char* meaning(Code c) { return info(c).meaning; }

std::optional<Code> parse_code(std::string_view n) {
    if (n.empty()) return std::nullopt;
    for (const auto& row : table)
        if (n == row.name) return row.code;
    return std::nullopt;
}

std::string format(const Diagnostic& d) {
    std::string s;
    if (!d.loc.file.empty()) {
        s += d.loc.file;
        if (d.loc.line > 0) {
            s += ':' + std::to_string(d.loc.line);
            if (d.loc.col > 0) s += ':' + std::to_string(d.loc.col);
        }
        s += ": ";
    }
    s += d.severity == Severity::error ? "error" : d.severity == Severity::warning ? "warning" : "note";
    s += ": ";
    if (!d.variable.empty()) s += "variable '" + d.variable + "': ";
    s += d.message;
    if (d.code != Code::none) s += std::string(" [") + name(d.code) + "]";
    return s;
}

void Diagnostics::error(Code code, SourceLoc loc, std::string variable, std::string message) {
    add({Severity::error, code, std::move(loc), std::move(variable), std::move(message)});
}

void Diagnostics::warning(Code code, SourceLoc loc, std::string variable, std::string message) {
    add({Severity::warning, code, std::move(loc), std::move(variable), std::move(message)});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
        return d.severity == Severity::error;
    }));
}

std::size_t Diagnostics::warning_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
        return d.severity == Severity::warning;
    }));
}

void Diagnostics::append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string Diagnostics::str() const {
    std::string s;
    for (const auto& d : items_) s += format(d) + '\n';
    return s;
}

namespace {
Diagnostics one(Code code, std::string variable, std::string message) {
    Diagnostics d;
    d.error(code, {}, std::move(variable), std::move(message));
    return d;
}
}  // namespace

Error::Error(Diagnostics diags, std::error_code os_error)
    : std::runtime_error(diags.str().empty() ? std::string("error") : diags.str()),
      diags_(std::move(diags)),
      os_error_(os_error) {}

Error::Error(Code code, std::string variable, std::string message, std::error_code os_error)
    : Error(one(code, std::move(variable), std::move(message)), os_error) {}

Code Error::code() const {
    for (const auto& d : diags_.items())
        if (d.severity == Severity::error) return d.code;
    return Code::none;
}

}  // namespace sim
