#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, -fsanitize=fuzzer,address,undefined)
# in build-fuzz and runs each for a bounded time, seeded from the shipped
# models, the bad-input corpus and the conformance models.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    (default 45 s; all five)
#
# To fuzz longer, e.g. an hour per target keeping what was found:
#   FUZZ_CORPUS=$HOME/sim-fuzz-corpus scripts/fuzz.sh 3600
# Crashes are written to build-fuzz/crashes/<target>/; each one found becomes
# a file in tests/bad_inputs/ (or a unit test) before it is fixed.
# Exit status: 0 no crash, 1 a target crashed (its log is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-45}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(parser yaml xmile vensim scenario)
build=${FUZZ_BUILD_DIR:-build-fuzz}
corpus_root=${FUZZ_CORPUS:-$build/corpus}
conf=${SIM_CONFORMANCE_DIR:-$PWD/../shared/conformance}
jobs=${FUZZ_JOBS:-2}

flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIM_BUILD_FUZZ=ON -DSIM_BUILD_TESTS=OFF -DSIM_BUILD_BENCH=OFF -DSIM_BUILD_EXAMPLES=OFF -DSIM_BUILD_CLI=OFF \
  -DSIM_INSTALL=OFF "-DCMAKE_CXX_FLAGS=$flags" >/dev/null
cmake --build "$build" -j"$jobs" --target $(printf 'fuzz_%s ' "${targets[@]}")

# Seeds: copied into the corpus directory each time (the corpus keeps what
# the fuzzer adds; the seeds themselves are never written back).
seed() {
  local t=$1 dir=$corpus_root/$1
  mkdir -p "$dir"
  case $t in
    yaml) find models tests/bad_inputs/yaml tests/cli examples -name '*.yaml' -exec cp -t "$dir" {} + 2>/dev/null || true ;;
    xmile)
      find tests/bad_inputs/xmile -name '*.xmile' -exec cp -t "$dir" {} +
      [ -d "$conf" ] && find "$conf" -name '*.xmile' | while read -r f; do
        cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-12).xmile"; done ;;
    vensim)
      find tests/bad_inputs/vensim -name '*.mdl' -exec cp -t "$dir" {} + 2>/dev/null || true
      wild=${SIM_WILD_MODELS_DIR:-$PWD/../shared/wild-models}
      for d in "$conf" "$wild"; do
        [ -d "$d" ] && find "$d" -iname '*.mdl' | while read -r f; do
          cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-12).mdl"; done
      done ;;
    scenario) find models/chongqing/scenarios tests/bad_inputs/scenario tests/cli -name '*.yaml' \
                -exec cp -t "$dir" {} + 2>/dev/null || true ;;
    parser)
      # Every equation of the shipped YAML models, one per file.
      python3 - "$dir" <<'PY'
import sys, re, glob, hashlib, pathlib
out = pathlib.Path(sys.argv[1])
for f in glob.glob('models/**/*.yaml', recursive=True) + glob.glob('tests/**/*.yaml', recursive=True):
    for line in open(f, encoding='utf-8', errors='replace'):
        m = re.match(r'\s+(?:equation:|initial:)?\s*[^:#]*:\s+(.+)$', line) or re.match(r'\s+equation:\s+(.+)$', line)
        if m:
            eq = m.group(1).strip().strip('"')
            (out / hashlib.md5(eq.encode()).hexdigest()[:12]).write_text(eq)
PY
      ;;
  esac
}

status=0
for t in "${targets[@]}"; do
  seed "$t"
  mkdir -p "$build/crashes/$t"
  log=$build/fuzz_$t.log
  echo "fuzz_$t: ${secs}s, corpus $corpus_root/$t ($(ls "$corpus_root/$t" | wc -l) files)"
  if ! "$build/fuzz/fuzz_$t" "$corpus_root/$t" -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$build/crashes/$t/" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz_$t: CRASH; see $log and $build/crashes/$t/"
    tail -n 60 "$log"
    status=1
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | sed "s/^/fuzz_$t: /" || true
done
exit $status
