#include "sim/diagnostic.hpp"

#include <algorithm>

namespace sim {

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
    if (!d.code.empty()) s += " [" + d.code + "]";
    return s;
}

void Diagnostics::error(std::string code, SourceLoc loc, std::string variable, std::string message) {
    add({Severity::error, std::move(code), std::move(loc), std::move(variable), std::move(message)});
}

void Diagnostics::warning(std::string code, SourceLoc loc, std::string variable, std::string message) {
    add({Severity::warning, std::move(code), std::move(loc), std::move(variable), std::move(message)});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
        return d.severity == Severity::error;
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

Error::Error(Diagnostics diags)
    : std::runtime_error(diags.str().empty() ? std::string("error") : diags.str()), diags_(std::move(diags)) {}

}  // namespace sim
