// Experiments split across the processes of a job (MPI ranks, docs/scaling.md).
// sim::Communicator is all the library asks of such a job; sim::compare,
// sim::run_ensemble (and so sim::robust_compare) and sim::sensitivity take
// one through their options (`comm`, nullptr = this process alone). Each
// rank runs a contiguous block of the runs on its own worker threads, then
// the per-run summaries are exchanged so that every rank returns the same
// result, equal bit for bit to the single-process one; rank 0 writes it.
// The MPI implementation is sim::MpiWorld (sim/mpi.hpp, library sim::mpi,
// built when SIM_MPI is on); the core library does not depend on MPI.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"

namespace sim {

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Every rank's `mine`, concatenated in rank order, on every rank
    // (collective: every rank calls it, with any length).
    virtual std::vector<double> allgather(std::span<const double> mine) const = 0;
    // Every rank's `mine` in rank order, on every rank (collective).
    virtual std::vector<std::string> allgather_text(const std::string& mine) const = 0;
};

// What a distributed experiment throws on every rank when a run failed on
// one of them: the diagnostics of the lowest failing rank's error, with a
// note naming it. Every rank throws the same, so a front end prints it once
// (on rank 0) and every rank exits non-zero.
class RankError : public Error {
public:
    RankError(Diagnostics diags, int failed_rank) : Error(std::move(diags)), failed_rank_(failed_rank) {}
    int failed_rank() const { return failed_rank_; }

private:
    int failed_rank_;
};

// The block [first, last) of runs 0..n-1 that `rank` of `size` runs:
// contiguous, in rank order, sizes differing by at most one.
std::pair<std::size_t, std::size_t> rank_block(std::size_t n, int rank, int size);

}  // namespace sim
