#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, -fsanitize=fuzzer,address,undefined)
# in build-fuzz and runs each for a bounded time, seeded from the shipped
# models, the bad-input corpus and the conformance models.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    (default 45 s; all seven:
#                    parser yaml xmile vensim scenario extends cli)
#
# Each target starts from its minimised corpus kept in the repository
# (fuzz/corpus/<target>/) plus the seeds below, in a work directory
# ($FUZZ_CORPUS/<target>, default build-fuzz/corpus/<target>) that keeps what
# the fuzzer adds between runs. FUZZ_SAVE=1 merges the work corpus back into
# fuzz/corpus/<target> minimised (scripts/fuzz-merge.sh; -merge=1: the smallest set of inputs with
# the same coverage), to be committed - but not for xmile and vensim, whose
# corpora grow from the SDXorg suite's models (which may not be copied into
# the project: keep those with FUZZ_CORPUS outside). To fuzz longer at low priority:
#   FUZZ_SAVE=1 nice -n 19 scripts/fuzz.sh 3600 parser
# Crashes are written to build-fuzz/crashes/<target>/; each one found becomes
# a file in tests/bad_inputs/ (or a unit test) before it is fixed. The last
# line of each log gives executions, coverage (cov: edges, ft: features).
# FUZZ_TIMEOUT (default 10 s) is the per-input limit: raise it on a loaded
# machine, where a starved process trips it without any slow input.
# FUZZ_SEED (default: random) fixes libFuzzer's random seed: scripts/test.sh
# (CI) uses FUZZ_SEED=1, so that a CI result can be reproduced here
# (the same mutations from the same corpus; how far a run gets still depends
# on the machine's speed). Discovery runs keep the random seed.
# Exit status: 0 no crash, 1 a target crashed (its log is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-45}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(parser yaml xmile vensim scenario extends cli)
build=${FUZZ_BUILD_DIR:-build-fuzz}
corpus_root=${FUZZ_CORPUS:-$build/corpus}
conf=${SIM_CONFORMANCE_DIR:-$PWD/../shared/conformance}
jobs=${FUZZ_JOBS:-2}

flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIM_BUILD_FUZZ=ON -DSIM_BUILD_TESTS=OFF -DSIM_BUILD_BENCH=OFF -DSIM_BUILD_EXAMPLES=OFF -DSIM_BUILD_CLI=ON -DSIM_PYTHON=OFF -DSIM_MPI=OFF \
  -DSIM_INSTALL=OFF "-DCMAKE_CXX_FLAGS=$flags" >/dev/null
cmake --build "$build" -j"$jobs" --target $(printf 'fuzz_%s ' "${targets[@]}")
[ -n "${FUZZ_BUILD_ONLY:-}" ] && exit 0

# Seeds: copied into the corpus directory each time (the corpus keeps what
# the fuzzer adds; the seeds themselves are never written back).
seed() {
  local t=$1 dir=$corpus_root/$1
  mkdir -p "$dir"
  [ -d "fuzz/corpus/$t" ] && cp -n fuzz/corpus/"$t"/* "$dir"/ 2>/dev/null || true
  case $t in
    extends)
      # Chains of up to four files (split at NUL): a.yaml, b.yaml, sub/c.yaml, sub/d.yaml.
      printf 'model: model.yaml\nextends: b.yaml\x00levers: {subsidy: on}\n' >"$dir/seed_chain"
      printf 'extends: b.yaml\x00extends: sub/c.yaml\x00extends: ../a.yaml\n' >"$dir/seed_cycle"
      printf 'extends: link.yaml\nmodel: model.yaml\n' >"$dir/seed_link"
      printf 'extends: fifo.yaml\n' >"$dir/seed_fifo"
      printf 'model: dir.yaml\n' >"$dir/seed_dir"
      printf 'extends: loop.yaml\nmodel: model.yaml\n' >"$dir/seed_loop"
      printf 'extends: b.yaml\x00extends: b.yaml\n' >"$dir/seed_self"
      printf 'model: model.yaml\nextends: sub/c.yaml\x00\x00extends: d.yaml\x00model: ../model.yaml\nsim: {dt: 0.25}\n' >"$dir/seed_sub" ;;
    cli)
      # Argument vectors, NUL-separated.
      printf 'run\x00m.yaml\x00--dt\x00000.5\x00--out\x00o.csv' >"$dir/seed_run"
      printf 'run\x00m.yaml\x00--set\x00a=1e400\x00--max-memory\x00001G' >"$dir/seed_set"
      printf 'compare\x00s.yaml\x00--levers\x00a,b\x00--at\x00002030,2050\x00--indicators\x00x:min\x00--threads\x00002' >"$dir/seed_compare"
      printf 'check\x00--program\x00--max-depth=10\x00m.xmile' >"$dir/seed_check"
      printf -- '--help' >"$dir/seed_help"
      printf 'run\x00--method=\x00--\x00-m.yaml' >"$dir/seed_dashes" ;;
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
  echo "fuzz_$t: ${secs}s${FUZZ_SEED:+, seed $FUZZ_SEED}, corpus $corpus_root/$t ($(ls "$corpus_root/$t" | wc -l) files)"
  seed_opt=()
  [ -n "${FUZZ_SEED:-}" ] && seed_opt=(-seed="$FUZZ_SEED")
  if ! "$build/fuzz/fuzz_$t" "$corpus_root/$t" "${seed_opt[@]}" -max_total_time="$secs" -max_len=65536 -timeout="${FUZZ_TIMEOUT:-10}" \
        -rss_limit_mb=2048 -artifact_prefix="$build/crashes/$t/" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz_$t: CRASH; see $log and $build/crashes/$t/"
    tail -n 60 "$log"
    status=1
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | sed "s/^/fuzz_$t: /" || true
  grep -E '^#[0-9]+' "$log" | tail -n 1 | sed "s/^/fuzz_$t: last: /" || true
  if [ "${FUZZ_SAVE:-0}" = 1 ]; then bash scripts/fuzz-merge.sh "$t"; fi
done
exit $status
