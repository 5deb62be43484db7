#!/usr/bin/env bash
# Opt-in benchmark: SDEverywhere's generated C against libsim, side by side on
# one vCPU (bench/sde/README.md). Not part of the build or ctest.
#
#   bash bench/sde/run.sh [BUILD_DIR]      (BUILD_DIR default: build, from the repo root)
#
# Environment:
#   SDE_C_RUNTIME  directory holding SDE's C runtime (model.c, sde.h, vensim.h);
#                  default /work/sde-c-runtime. Without it only the C generation
#                  step runs (the runtime is not on the npm registry: README.md).
#   ALTERNATIONS   SDE/libsim alternations (default 3)
#   CPU            vCPU to pin every timed process to with taskset (default 1)
#   BEER           1 (default) also runs bench_vensim (beer game; compiles its
#                  generated code first, ~45 s); 0 skips it
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RT=${SDE_C_RUNTIME:-/work/sde-c-runtime}
ALTS=${ALTERNATIONS:-3}
CPU=${CPU:-1}
BEER=${BEER:-1}
SAMPLES=${SIM_CONFORMANCE_DIR:-$ROOT/../shared/conformance}/test-models/samples
BEER_MDL=${SIM_WILD_MODELS_DIR:-$ROOT/../shared/wild-models}/beer-game/RealBeer4-Sterman13.mdl
SDSIM=$BUILD/cli/sdsim
OUT=$HERE/out
PIN="taskset -c $CPU"

for f in "$SDSIM" "$BUILD/bench/bench_overhead" "$BUILD/bench/bench_vensim"; do
  [ -x "$f" ] || { echo "run.sh: $f not found: build libsim (Release) first" >&2; exit 1; }
done

echo "== npm ci (bench/sde/package-lock.json)"
(cd "$HERE" && npm ci --no-audit --no-fund)
echo "SDE: @sdeverywhere/compile $(node -p "require('$HERE/node_modules/@sdeverywhere/compile/package.json').version"), @sdeverywhere/parse $(node -p "require('$HERE/node_modules/@sdeverywhere/parse/package.json').version"); node $(node --version); $(gcc --version | head -1); $(clang --version 2>/dev/null | head -1)"

echo "== generate C"
rm -rf "$OUT"; mkdir -p "$OUT/timings"
# beer_sde: the beer game with its macros written out (beer_for_sde.py), since
# SDE translates no :MACRO:; libsim's side always runs the original file.
python3 "$HERE/beer_for_sde.py" "$BEER_MDL" "$OUT/beer_sde.mdl"
declare -A MDL=([SIR]=$SAMPLES/SIR/SIR.mdl [teacup]=$SAMPLES/teacup/teacup.mdl [RealBeer4-Sterman13]=$BEER_MDL [beer_sde]=$OUT/beer_sde.mdl)
declare -A LIBSIM_MDL=([SIR]=$SAMPLES/SIR/SIR.mdl [teacup]=$SAMPLES/teacup/teacup.mdl [RealBeer4-Sterman13]=$BEER_MDL [beer_sde]=$BEER_MDL)
OK_MODELS=()
for m in SIR teacup RealBeer4-Sterman13 beer_sde; do
  if (cd "$HERE" && node gen.mjs "${MDL[$m]}" "$OUT/$m" c) >"$OUT/$m.gen.log" 2>&1; then
    tail -1 "$OUT/$m.gen.log"; [ -n "${LIBSIM_MDL[$m]:-}" ] && OK_MODELS+=("$m")
  else
    echo "$m: SDE could not translate it: $(grep -m1 '^Error' "$OUT/$m.gen.log" || tail -1 "$OUT/$m.gen.log")"
  fi
done

if [ ! -f "$RT/model.c" ] || [ ! -f "$RT/sde.h" ] || [ ! -f "$RT/vensim.h" ]; then
  echo "run.sh: no SDE C runtime in $RT (model.c, sde.h, vensim.h): set SDE_C_RUNTIME (README.md). Stopping after generation." >&2
  exit 1
fi

echo "== compile the harness and check SDE's values against libsim's (every saved cell)"
# gcc -O2 / -O3: separate translation units, as SDE builds them; clang -O3: the
# flags of SDE's own C makefile (CC=clang, CFLAGS=-Wall -O3); gcc -O2 -flto: a
# whole-program build (lets outputVar inline into storeOutputData), for reference.
CLANG=$(command -v clang || true)
for m in "${OK_MODELS[@]}"; do
  src=("$HERE/harness.c" "$RT/model.c" "$OUT/$m/$m.c")
  gcc -O2 -std=c11 -I"$RT" -o "$OUT/$m/harness_O2" "${src[@]}" -lm
  gcc -O3 -std=c11 -I"$RT" -o "$OUT/$m/harness_O3" "${src[@]}" -lm
  gcc -O2 -flto -std=c11 -I"$RT" -o "$OUT/$m/harness_O2-lto" "${src[@]}" -lm
  [ -z "$CLANG" ] || "$CLANG" -O3 -std=c11 -I"$RT" -o "$OUT/$m/harness_clang-O3" "${src[@]}" -lm
  "$SDSIM" run "${LIBSIM_MDL[$m]}" >"$OUT/$m/libsim.csv"
  for exe in "$OUT/$m"/harness_*; do
    "$exe" --csv >"$OUT/$m/sde.csv"
    echo "$m, $(basename "$exe"):"
    brief=--brief; [ "$exe" = "$OUT/$m/harness_O2" ] && brief=
    python3 "$HERE/compare.py" $brief "$OUT/$m/sde.csv" "$OUT/$m/libsim.csv" 1e-9
  done
done

echo "== timing: $ALTS alternations, pinned to vCPU $CPU"
date -u +"start %Y-%m-%dT%H:%M:%SZ" | tee "$OUT/timings/window.txt"
uptime | tee -a "$OUT/timings/window.txt"
for i in $(seq 1 "$ALTS"); do
  echo "-- alternation $i: SDE"
  for m in "${OK_MODELS[@]}"; do
    for v in O2 O3 clang-O3 O2-lto O2-alloc; do
      case $v in O2-alloc) args=(--alloc); exe=harness_O2 ;; *) args=(); exe=harness_$v ;; esac
      [ -x "$OUT/$m/$exe" ] || continue
      r=$($PIN "$OUT/$m/$exe" "${args[@]}" 0 5)
      echo "$m $v: $(echo "$r" | tail -1)"
      echo "$r" | tail -1 | awk -v m="$m" -v v="$v" -v i="$i" '{print i, m, v, $2, $4}' >>"$OUT/timings/sde.txt"
    done
  done
  echo "-- alternation $i: libsim"
  $PIN "$BUILD/bench/bench_overhead" --benchmark_filter='(sir|teacup)_(libsim|native|hand)$' \
    --benchmark_repetitions=5 --benchmark_min_time=0.2 --benchmark_display_aggregates_only=true \
    --benchmark_out="$OUT/timings/overhead_$i.json" --benchmark_out_format=json 2>&1 | grep -E '_(median) ' || true
  if [ "$BEER" = 1 ]; then
    $PIN "$BUILD/bench/bench_vensim" --benchmark_filter=run --benchmark_repetitions=3 \
      --benchmark_out="$OUT/timings/vensim_$i.json" --benchmark_out_format=json 2>&1 | grep -E '_(median) |generated code' || true
  fi
  uptime >>"$OUT/timings/window.txt"
done
date -u +"end %Y-%m-%dT%H:%M:%SZ" | tee -a "$OUT/timings/window.txt"
uptime | tee -a "$OUT/timings/window.txt"

echo "== summary (per-run CPU time, microseconds)"
python3 "$HERE/summarize.py" "$OUT/timings"
