// Runs split across ranks (see distributed.hpp). Wire format of one rank's
// summaries: for each of its runs in order, the summary's length, then the
// summary (lengths are exact in a double up to 2^53). Errors travel as text:
// one diagnostic per record, fields separated by \x1f, records by \x1e.
#include "experiment/distributed.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "sim/diagnostic.hpp"
#include "util/parallel.hpp"

namespace sim {

std::pair<std::size_t, std::size_t> rank_block(std::size_t n, int rank, int size) {
    const auto r = static_cast<std::size_t>(rank), p = static_cast<std::size_t>(size);
    const std::size_t base = n / p, extra = n % p;
    const std::size_t first = r * base + std::min(r, extra);
    return {first, first + base + (r < extra ? 1 : 0)};
}

namespace detail {

namespace {

constexpr char field_sep = '\x1f', record_sep = '\x1e';

std::string encode(const Diagnostics& diags) {
    std::string s;
    for (const auto& d : diags.items()) {
        s += std::to_string(static_cast<int>(d.severity)) + field_sep + std::to_string(static_cast<int>(d.code)) +
             field_sep + d.loc.file + field_sep + std::to_string(d.loc.line) + field_sep +
             std::to_string(d.loc.col) + field_sep + d.variable + field_sep + d.message + record_sep;
    }
    return s;
}

Diagnostics decode(const std::string& s) {
    Diagnostics diags;
    std::size_t pos = 0;
    while (pos < s.size()) {
        const std::size_t end = s.find(record_sep, pos);
        std::vector<std::string> f;
        std::size_t a = pos;
        for (;;) {
            const std::size_t b = s.find(field_sep, a);
            if (b == std::string::npos || b > end) {
                f.push_back(s.substr(a, end - a));
                break;
            }
            f.push_back(s.substr(a, b - a));
            a = b + 1;
        }
        if (f.size() == 7) {
            Diagnostic d;
            d.severity = static_cast<Severity>(std::stoi(f[0]));
            d.code = static_cast<Code>(std::stoi(f[1]));
            d.loc = SourceLoc{f[2], std::stoi(f[3]), std::stoi(f[4])};
            d.variable = f[5];
            d.message = f[6];
            diags.add(std::move(d));
        }
        pos = end + 1;
    }
    return diags;
}

}  // namespace

void distributed_for(const Communicator* comm, std::size_t n, unsigned threads,
                     const std::function<void(std::size_t)>& body,
                     const std::function<void(std::size_t, std::size_t)>& progress,
                     const std::function<void(std::size_t, std::vector<double>&)>& pack,
                     const std::function<void(std::size_t, std::span<const double>)>& unpack) {
    if (!comm || comm->size() <= 1) {
        parallel_for(n, threads, body, progress);
        return;
    }
    const int size = comm->size(), me = comm->rank();
    // (not a structured binding: clang 14 cannot capture one in the lambda below)
    const auto block = rank_block(n, me, size);
    const std::size_t first = block.first, last = block.second;

    // Run this rank's block; any failure is held until every rank has finished.
    std::string encoded;
    try {
        parallel_for(last - first, threads, [&](std::size_t i) { body(first + i); }, progress);
    } catch (const Error& e) {
        encoded = encode(e.diagnostics());
        if (encoded.empty()) encoded = encode(Error(sim::Code::E_INTERNAL, "", e.what()).diagnostics());
    } catch (const std::exception& e) {
        encoded = encode(Error(sim::Code::E_INTERNAL, "", e.what()).diagnostics());
    } catch (...) {
        encoded = encode(Error(sim::Code::E_INTERNAL, "", "unknown exception").diagnostics());
    }
    const std::vector<std::string> errors = comm->allgather_text(encoded);
    for (int r = 0; r < size; ++r) {
        if (errors[static_cast<std::size_t>(r)].empty()) continue;
        Diagnostics d = decode(errors[static_cast<std::size_t>(r)]);
        Diagnostic note;
        note.severity = Severity::note;
        note.code = sim::Code::E_INTERNAL;
        note.message = "reported by rank " + std::to_string(r) + " of " + std::to_string(size);
        d.add(std::move(note));
        throw RankError(std::move(d), r);
    }

    // Exchange the summaries.
    std::vector<double> out, run;
    for (std::size_t j = first; j < last; ++j) {
        run.clear();
        pack(j, run);
        out.push_back(static_cast<double>(run.size()));
        out.insert(out.end(), run.begin(), run.end());
    }
    const std::vector<double> all = comm->allgather(out);
    std::size_t pos = 0;
    for (int r = 0; r < size; ++r) {
        const auto [f, l] = rank_block(n, r, size);
        for (std::size_t j = f; j < l; ++j) {
            if (pos >= all.size()) throw Error(sim::Code::E_INTERNAL, "", "distributed run: short exchange");
            const auto len = static_cast<std::size_t>(all[pos++]);
            if (len > all.size() - pos) throw Error(sim::Code::E_INTERNAL, "", "distributed run: bad summary length");
            if (r != me) unpack(j, std::span<const double>(all.data() + pos, len));
            pos += len;
        }
    }
}

}  // namespace detail
}  // namespace sim
