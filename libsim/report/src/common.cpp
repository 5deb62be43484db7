// Pieces every report shares: the output directory and distributions in words.
#include <filesystem>
#include <system_error>

#include "report_detail.hpp"

namespace sim::report_detail {

void make_directory(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error(sim::Code::E_IO, "", "cannot create directory '" + dir + "': " + ec.message(), ec);
}

std::string describe(const Distribution& d) {
    auto range = [&](double lo, double hi) { return "[" + fmt(lo) + ", " + fmt(hi) + "]"; };
    auto bounded = [&](double lo, double hi, double dlo, double dhi) {
        return lo == dlo && hi == dhi ? std::string() : " on " + range(lo, hi);
    };
    switch (d.kind) {
        case DistKind::uniform: return "uniform on " + range(d.min, d.max);
        case DistKind::triangular:
            return "triangular on " + range(d.min, d.max) + ", mode " + fmt(d.mode);
        case DistKind::normal:
            return "normal (mean " + fmt(d.mean) + ", sd " + fmt(d.sd) + ")" +
                   bounded(d.min, d.max, -Distribution::inf, Distribution::inf);
        case DistKind::lognormal:
            return "lognormal (mu " + fmt(d.mu) + ", sigma " + fmt(d.sigma) + " of ln x)" +
                   bounded(d.min, d.max, 0, Distribution::inf);
        case DistKind::beta:
            return "beta (alpha " + fmt(d.alpha) + ", beta " + fmt(d.beta) + ") on " + range(d.min, d.max);
        case DistKind::discrete: {
            std::string s = "discrete {";
            for (std::size_t i = 0; i < d.values.size(); ++i) {
                s += (i ? ", " : "") + fmt(d.values[i]);
                if (!d.weights.empty() && i < d.weights.size()) s += " (weight " + fmt(d.weights[i]) + ")";
            }
            return s + "}";
        }
    }
    return "?";
}

}  // namespace sim::report_detail
