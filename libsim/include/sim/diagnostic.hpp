// Diagnostics: errors and warnings as collected values, each with its position.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace sim {

// A position in a source file. Lines and columns are 1-based; 0 means unknown.
struct SourceLoc {
    std::string file;
    int line = 0;
    int col = 0;
};

enum class Severity { error, warning, note };

// One finding about a model, scenario or run.
// `code` is a short stable identifier (e.g. "E-UNKNOWN-NAME") that tests pin.
struct Diagnostic {
    Severity severity = Severity::error;
    std::string code;
    SourceLoc loc;
    std::string variable;  // the variable the finding is about, "" if none
    std::string message;   // what is wrong and what to do
};

// "file:line:col: error: variable 'x': message [code]"
std::string format(const Diagnostic& d);

// An ordered collection; loaders and the compiler append and go on.
class Diagnostics {
public:
    void add(Diagnostic d) { items_.push_back(std::move(d)); }
    void error(std::string code, SourceLoc loc, std::string variable, std::string message);
    void warning(std::string code, SourceLoc loc, std::string variable, std::string message);

    bool has_errors() const;
    std::size_t error_count() const;
    const std::vector<Diagnostic>& items() const { return items_; }
    bool empty() const { return items_.empty(); }
    void append(const Diagnostics& other);
    std::string str() const;  // every diagnostic, one per line

private:
    std::vector<Diagnostic> items_;
};

// Thrown by the convenience entry points when loading or compiling fails.
class Error : public std::runtime_error {
public:
    explicit Error(Diagnostics diags);
    const Diagnostics& diagnostics() const { return diags_; }

private:
    Diagnostics diags_;
};

}  // namespace sim
