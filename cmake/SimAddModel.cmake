# sim_add_model(TARGET MODEL [NAME name] [NAMESPACE ns])
#
# Compiles MODEL (a model file, relative to the current source directory)
# ahead of time into TARGET: at build time `sdsim generate MODEL --cpp DIR`
# writes DIR/NAME.hpp and DIR/NAME.cpp (a class NS::NAME derived from
# sim::Model whose runs use the generated code; docs/generated.md), which are
# added to TARGET with DIR on its include path, so that `#include "NAME.hpp"`
# works. NAME defaults to the file name as a C identifier, NS to sim_models.
# The source is compiled without floating-point contraction, so that results
# are the interpreter's bit for bit. Regenerated when MODEL or sdsim changes.
#
# The generator is SIM_SDSIM_EXECUTABLE (set by sim-config.cmake to the
# installed sdsim), or the sdsim target when libsim is part of the build.
function(sim_add_model target model)
  cmake_parse_arguments(PARSE_ARGV 2 A "" "NAME;NAMESPACE" "")
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "sim_add_model: unexpected arguments: ${A_UNPARSED_ARGUMENTS}")
  endif()
  if(TARGET sdsim)
    set(generator $<TARGET_FILE:sdsim>)
    set(generator_dep sdsim)
  elseif(SIM_SDSIM_EXECUTABLE AND EXISTS "${SIM_SDSIM_EXECUTABLE}")
    set(generator ${SIM_SDSIM_EXECUTABLE})
    set(generator_dep ${SIM_SDSIM_EXECUTABLE})
  else()
    message(FATAL_ERROR "sim_add_model: no sdsim to generate the code with (SIM_SDSIM_EXECUTABLE='${SIM_SDSIM_EXECUTABLE}')")
  endif()
  get_filename_component(file "${model}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(A_NAME)
    set(name ${A_NAME})
  else()
    get_filename_component(stem "${file}" NAME_WE)
    string(MAKE_C_IDENTIFIER "${stem}" name)
  endif()
  set(ns_args)
  if(DEFINED A_NAMESPACE)
    set(ns_args --namespace ${A_NAMESPACE})
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/sim_models/${target})
  add_custom_command(OUTPUT ${dir}/${name}.hpp ${dir}/${name}.cpp
                     COMMAND ${generator} generate ${file} --cpp ${dir} --name ${name} ${ns_args}
                     COMMAND ${CMAKE_COMMAND} -E touch ${dir}/${name}.hpp ${dir}/${name}.cpp
                     DEPENDS ${file} ${generator_dep}
                     COMMENT "Generating C++ for the model ${model}"
                     VERBATIM)
  target_sources(${target} PRIVATE ${dir}/${name}.cpp ${dir}/${name}.hpp)
  target_include_directories(${target} PRIVATE ${dir})
  set_source_files_properties(${dir}/${name}.cpp TARGET_DIRECTORY ${target} PROPERTIES
                              COMPILE_OPTIONS "$<$<CXX_COMPILER_ID:GNU,Clang>:-ffp-contract=off;-fno-fast-math>")
  target_link_libraries(${target} PRIVATE sim::sim)
endfunction()
