# sim_warnings(TARGET...): the project's warning flags on each target, and
# -Werror when SIM_WERROR is on (scripts/test.sh turns it on; off by default
# so that a newer compiler's new warning does not break a user's build).
function(sim_warnings)
  foreach(t ${ARGN})
    target_compile_options(${t} PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic>)
    if(SIM_WERROR)
      target_compile_options(${t} PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-Werror>)
    endif()
  endforeach()
endfunction()
