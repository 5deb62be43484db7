// The one place experiments split their runs across ranks (see
// sim/distributed.hpp): compare and run_ensemble call distributed_for in
// place of parallel_for.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "sim/distributed.hpp"

namespace sim::detail {

// Without a communicator (or with one rank): parallel_for(n, threads, body,
// progress). Otherwise this rank calls body(j) for its block of [0, n) on
// `threads` threads (progress counts this rank's runs), then, collectively:
// if any rank failed, every rank throws sim::RankError with the error of the
// lowest failing rank (a note names the rank); else pack(j, out) appends run j's summary on the rank that
// ran it, the summaries are exchanged, and unpack(j, data) is called on every
// other rank for every run j it did not run, in increasing j.
void distributed_for(const Communicator* comm, std::size_t n, unsigned threads,
                     const std::function<void(std::size_t)>& body,
                     const std::function<void(std::size_t done, std::size_t total)>& progress,
                     const std::function<void(std::size_t j, std::vector<double>& out)>& pack,
                     const std::function<void(std::size_t j, std::span<const double> data)>& unpack);

}  // namespace sim::detail
