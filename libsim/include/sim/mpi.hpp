// MPI_COMM_WORLD as a sim::Communicator (library sim::mpi, built when
// SIM_MPI is on; docs/scaling.md).
//
//   int main(int argc, char** argv) {
//       sim::MpiWorld world(argc, argv);    // MPI_Init_thread ... MPI_Finalize
//       sim::EnsembleOptions o;
//       o.comm = &world;                    // each rank runs its block
//       auto e = sim::run_ensemble(model, samples, o);
//       if (world.rank() == 0) write(e);    // every rank holds the whole result
//   }
#pragma once

#include "sim/distributed.hpp"

namespace sim {

// True if the environment says this process was started by mpirun/mpiexec
// (Open MPI, MPICH/Hydra, PMI/PMIx or Slurm's srun with a size above one).
bool launched_by_mpirun();

class MpiWorld final : public Communicator {
public:
    // Initialises MPI (thread level FUNNELED: only this thread calls MPI)
    // unless it already is; finalises it on destruction if it initialised it.
    MpiWorld(int& argc, char**& argv);
    ~MpiWorld() override;
    MpiWorld(const MpiWorld&) = delete;
    MpiWorld& operator=(const MpiWorld&) = delete;

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::vector<double> allgather(std::span<const double> mine) const override;
    std::vector<std::string> allgather_text(const std::string& mine) const override;
    // Ends the whole job with `code` (MPI_Abort): for a failure that only
    // this rank saw, where the others would wait in a collective forever.
    [[noreturn]] void abort(int code) const;

private:
    int rank_ = 0, size_ = 1;
    bool owns_ = false;
};

}  // namespace sim
