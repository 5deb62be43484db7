// sim::MpiWorld (see sim/mpi.hpp): the communicator over MPI_COMM_WORLD.
// Variable-length exchanges are two collectives: the lengths (MPI_Allgather),
// then the data (MPI_Allgatherv). Counts are int in MPI-3: a rank's part
// beyond INT_MAX elements is refused (E-INTERNAL) rather than truncated.
#include "sim/mpi.hpp"

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/diagnostic.hpp"

namespace sim {

namespace {

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, msg, &len);
        throw Error(sim::Code::E_INTERNAL, "", std::string(what) + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
    }
}

int as_count(std::size_t n) {
    if (n > static_cast<std::size_t>(INT_MAX))
        throw Error(sim::Code::E_INTERNAL, "", "MPI exchange of " + std::to_string(n) + " elements from one rank (over INT_MAX)");
    return static_cast<int>(n);
}

// Lengths of every rank's part and their displacements.
std::pair<std::vector<int>, std::vector<int>> layout(int mine, int size) {
    std::vector<int> counts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
    check(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
    long long total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
        if (total > INT_MAX) throw Error(sim::Code::E_INTERNAL, "", "MPI exchange over INT_MAX elements in all");
        displs[r] = static_cast<int>(total);
        total += counts[r];
    }
    if (total > INT_MAX) throw Error(sim::Code::E_INTERNAL, "", "MPI exchange over INT_MAX elements in all");
    return {counts, displs};
}

}  // namespace

bool launched_by_mpirun() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS", "HYDRA_CONTROL_FD"})
        if (std::getenv(v)) return true;
    return false;
}

MpiWorld::MpiWorld(int& argc, char**& argv) {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) {
        int provided = 0;
        check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
        owns_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiWorld::~MpiWorld() {
    if (!owns_) return;
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
}

std::vector<double> MpiWorld::allgather(std::span<const double> mine) const {
    auto [counts, displs] = layout(as_count(mine.size()), size_);
    std::vector<double> all(static_cast<std::size_t>(displs.back() + counts.back()));
    check(MPI_Allgatherv(mine.data(), counts[static_cast<std::size_t>(rank_)], MPI_DOUBLE, all.data(), counts.data(),
                         displs.data(), MPI_DOUBLE, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    return all;
}

std::vector<std::string> MpiWorld::allgather_text(const std::string& mine) const {
    auto [counts, displs] = layout(as_count(mine.size()), size_);
    std::string all(static_cast<std::size_t>(displs.back() + counts.back()), '\0');
    check(MPI_Allgatherv(mine.data(), counts[static_cast<std::size_t>(rank_)], MPI_CHAR, all.data(), counts.data(),
                         displs.data(), MPI_CHAR, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    std::vector<std::string> out;
    for (std::size_t r = 0; r < counts.size(); ++r)
        out.push_back(all.substr(static_cast<std::size_t>(displs[r]), static_cast<std::size_t>(counts[r])));
    return out;
}

void MpiWorld::abort(int code) const {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::abort();  // MPI_Abort does not return
}

}  // namespace sim
