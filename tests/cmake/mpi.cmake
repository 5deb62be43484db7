# MPI (docs/scaling.md): the same runs split across 2 and 3 ranks must write
# exactly the bytes of one process, and a run failing on one rank must stop
# the job non-zero with its message and nothing written
# (tests/cli/mpi_same_bytes.cmake). Skipped when sdsim was built without MPI.
find_program(SIM_MPIRUN NAMES mpirun mpiexec)
if(NOT SIM_MPI OR NOT SIM_MPIRUN OR NOT SIM_BUILD_BENCH)
  add_test(NAME mpi.same_bytes COMMAND ${CMAKE_COMMAND} -E echo "SKIP: built without MPI (SIM_MPI=OFF) or no mpirun")
  set_tests_properties(mpi.same_bytes PROPERTIES SKIP_RETURN_CODE 0 LABELS mpi)
  return()
endif()
foreach(case ensemble compare compare_samples sensitivity ensemble_failure)
  add_test(NAME mpi.${case}
           COMMAND ${CMAKE_COMMAND} -DCASE=${case} -DMPIRUN=${SIM_MPIRUN}
                   -DSDSIM=$<TARGET_FILE:sdsim> -DENSEMBLE=$<TARGET_FILE:mpi_ensemble>
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DWORK=${CMAKE_CURRENT_BINARY_DIR}/mpi_${case}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/mpi_same_bytes.cmake)
  # Each case starts several MPI jobs of 2 or 3 ranks: run them alone.
  set_tests_properties(mpi.${case} PROPERTIES TIMEOUT 600 LABELS mpi RUN_SERIAL TRUE)
endforeach()
