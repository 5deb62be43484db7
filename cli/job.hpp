// The job sdsim runs in (docs/scaling.md): one process, or the ranks of an
// MPI job when started by mpirun (sdsim built with SIM_MPI). Commands whose
// runs split across ranks (compare) take sdsim::communicator(); every other
// command runs on rank 0 alone. On ranks other than 0, standard output and
// standard error are silenced (rank 0 writes everything); an error that only
// such a rank saw is still printed, prefixed with its rank.
#pragma once

#include <string_view>

#include "sim/distributed.hpp"

namespace sdsim {

class Job {
public:
    // Starts MPI when started by mpirun. Throws std::runtime_error when
    // started by mpirun with several ranks but built without MPI.
    Job(int& argc, char**& argv);
    ~Job();
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    int rank() const;
    // Restores standard error (for an error this rank alone saw).
    void restore_stderr();
};

// The job's communicator when it has more than one rank, else nullptr.
const sim::Communicator* communicator();
// Rank of this process (0 outside MPI).
int rank();
// Commands that split their runs across ranks.
bool distributed(std::string_view command);

}  // namespace sdsim
