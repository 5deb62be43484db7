#!/usr/bin/env bash
# Command (B): install what is missing, build everything and run the whole test suite:
#   1. the libFuzzer targets for a bounded time (scripts/fuzz.sh, 7 x 30 s,
#      random seed 1 unless FUZZ_SEED says otherwise: reproducible),
#   2. the whole suite under ASan + UBSan (scripts/sanitize.sh, build-asan),
#   3. the normal Release build, warnings as errors (SIM_WERROR), and the
#      whole suite through ctest (last, so that its summary closes the output).
# A test whose tool is missing shows as "Skipped" in ctest's summary.
#
#   bash scripts/test.sh --quick   day-to-day tier: build + unit, golden and
#                                  command-line tests (ctest label `quick`),
#                                  a few minutes; no fuzzing, sanitizers,
#                                  conformance, packaging or benchmarks.
# (SIM_QUICK=1 runs step 3 only, the whole suite without fuzzing and sanitizers.)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    *) echo "usage: bash scripts/test.sh [--quick]" >&2; exit 2 ;;
  esac
done
bash scripts/install-deps.sh
# The Python module and MPI are required here (install-deps installs them):
# missing, they fail the configure step instead of skipping their tests.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIM_WERROR=ON -DSIM_PYTHON=ON -DSIM_MPI=ON
export SIM_REQUIRE_PYTHON_TESTS=1
if [ "$quick" = 1 ]; then
  cmake --build build -j"$(nproc)" --target sim_tests sdsim io_atomic_test odr_test
  # The generated-mode check of every conformance case compiles C++ per case
  # (minutes of CPU from a cold cache): the full suite runs it, not this tier.
  ctest --test-dir build --output-on-failure -j"$(nproc)" -L quick -E 'generated: every conformance case'
  exit
fi
if [ "${SIM_QUICK:-0}" != 1 ]; then
  FUZZ_SEED=${FUZZ_SEED:-1} bash scripts/fuzz.sh "${SIM_FUZZ_SECONDS:-30}"
  bash scripts/sanitize.sh
fi
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
