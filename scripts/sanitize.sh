#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (clang 14), in build-asan. Any sanitizer report fails the test that
# triggered it (-fno-sanitize-recover=all, halt_on_error).
#
#   scripts/sanitize.sh [CTEST_ARGS...]     e.g. scripts/sanitize.sh -R bad_input
#
# Excluded: the packaging and add_subdirectory consumer tests (they build a consumer; nothing
# sanitizer-specific) and valgrind (cannot run sanitized binaries); the
# benchmarks are not built; nor are the Python module (an instrumented extension
# cannot load into an uninstrumented interpreter) and the MPI layer (Open MPI's
# own allocations would count as leaks; tests/unit/test_distributed.cpp covers
# the splitting with threads as ranks).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ASAN_BUILD_DIR:-build-asan}
jobs=${JOBS:-$(nproc)}
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIM_BUILD_BENCH=OFF -DSIM_VALGRIND_TESTS=OFF -DSIM_PYTHON=OFF -DSIM_MPI=OFF \
  "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" >/dev/null
cmake --build "$build" -j"$jobs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ctest --test-dir "$build" --output-on-failure -j"$jobs" -E '^(packaging|consumers\.add_subdirectory|reliability\.valgrind)' "$@"
