// sdsim's MPI job (see job.hpp).
#include "job.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <streambuf>
#include <string>

#ifdef SIM_MPI
#include "sim/mpi.hpp"
#endif

namespace sdsim {

namespace {

struct NullBuffer : std::streambuf {
    int_type overflow(int_type c) override { return traits_type::not_eof(c); }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

NullBuffer null_buffer;
std::streambuf* saved_cout = nullptr;
std::streambuf* saved_cerr = nullptr;
#ifdef SIM_MPI
std::unique_ptr<sim::MpiWorld> world;
#endif

#ifndef SIM_MPI
// The job size the launcher announces (Open MPI, PMI, Slurm), 1 if none.
int announced_size() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"})
        if (const char* s = std::getenv(v)) return std::atoi(s);
    return 1;
}
#endif

}  // namespace

Job::Job(int& argc, char**& argv) {
#ifdef SIM_MPI
    if (sim::launched_by_mpirun()) world = std::make_unique<sim::MpiWorld>(argc, argv);
#else
    (void)argc;
    (void)argv;
    if (announced_size() > 1)
        throw std::runtime_error("this sdsim was built without MPI (SIM_MPI=OFF): under mpirun every rank would run "
                                 "the whole command; rebuild with libopenmpi-dev installed, or run it without mpirun");
#endif
    if (rank() != 0) {
        saved_cout = std::cout.rdbuf(&null_buffer);
        saved_cerr = std::cerr.rdbuf(&null_buffer);
    }
}

Job::~Job() {
    if (saved_cout) std::cout.rdbuf(saved_cout);
    restore_stderr();
#ifdef SIM_MPI
    world.reset();  // MPI_Finalize
#endif
}

int Job::rank() const { return sdsim::rank(); }

void Job::restore_stderr() {
    if (saved_cerr) std::cerr.rdbuf(saved_cerr);
    saved_cerr = nullptr;
}

const sim::Communicator* communicator() {
#ifdef SIM_MPI
    if (world && world->size() > 1) return world.get();
#endif
    return nullptr;
}

int rank() {
#ifdef SIM_MPI
    if (world) return world->rank();
#endif
    return 0;
}

bool distributed(std::string_view command) { return command == "compare" || command == "sensitivity"; }

}  // namespace sdsim
