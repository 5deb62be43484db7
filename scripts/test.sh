#!/usr/bin/env bash
# Command (B): install what is missing, build everything and run the whole test suite:
#   1. the libFuzzer targets for a bounded time (scripts/fuzz.sh, 4 x 30 s),
#   2. the whole suite under ASan + UBSan (scripts/sanitize.sh, build-asan),
#   3. the normal Release build and the whole suite through ctest (last, so that
#      its summary closes the output).
# Set SIM_QUICK=1 to run step 3 only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ "${SIM_QUICK:-0}" != 1 ]; then
  bash scripts/fuzz.sh "${SIM_FUZZ_SECONDS:-30}"
  bash scripts/sanitize.sh
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
