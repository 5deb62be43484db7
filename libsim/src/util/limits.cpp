// Resource limits (sim/limits.hpp): the default memory budget and the
// formatting and parsing of sizes.
#include "sim/limits.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <string>

#include "util/text.hpp"

namespace sim {

std::uint64_t default_memory_budget() {
    std::uint64_t m = UINT64_MAX;
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0) m = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        m = std::min<std::uint64_t>(m, rl.rlim_cur);
    // cgroup v2 (a container's memory limit); "max" means none.
    std::ifstream cg("/sys/fs/cgroup/memory.max");
    std::string v;
    if (cg >> v && v != "max") {
        auto p = text::parse_number(v);
        if (p && p.value > 0) m = std::min<std::uint64_t>(m, static_cast<std::uint64_t>(p.value));
    }
    if (m == UINT64_MAX) m = std::uint64_t{8} << 30;
    return std::max<std::uint64_t>(m / 2, min_memory_budget);
}

std::string format_bytes(std::uint64_t b) {
    static const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (b < 1024) return std::to_string(b) + (b == 1 ? " byte" : " bytes");
    double v = static_cast<double>(b);
    int u = -1;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        ++u;
    }
    return text::number_sig(v, 3) + " " + units[u];
}

std::optional<std::uint64_t> parse_size(std::string_view s) {
    std::string t(text::trim(s));
    if (t.empty()) return std::nullopt;
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // An optional "b" or "ib" after the suffix: 64M, 64MB, 64MiB.
    if (t.size() > 2 && t.compare(t.size() - 2, 2, "ib") == 0) t.resize(t.size() - 2);
    else if (t.size() > 1 && t.back() == 'b') t.pop_back();
    double mult = 1;
    if (!t.empty()) {
        switch (t.back()) {
            case 'k': mult = 1024.0; break;
            case 'm': mult = 1024.0 * 1024; break;
            case 'g': mult = 1024.0 * 1024 * 1024; break;
            case 't': mult = 1024.0 * 1024 * 1024 * 1024; break;
            default: break;
        }
        if (mult != 1) t.pop_back();
    }
    if (t.empty() || t.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
    auto p = text::parse_number(t);
    if (!p) return std::nullopt;
    const double v = std::floor(p.value * mult);
    if (!(v >= 1) || v >= 1.8e19) return std::nullopt;
    return static_cast<std::uint64_t>(v);
}

std::string limit_hint(std::uint64_t limit, std::string_view option) {
    const bool bytes = option == "--max-input" || option == "--max-memory";
    return "; the limit is " + (bytes ? format_bytes(limit) : std::to_string(limit)) + " (raise it with " +
           std::string(option) + ")";
}

}  // namespace sim
