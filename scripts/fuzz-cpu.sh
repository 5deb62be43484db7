#!/usr/bin/env bash
# Fuzzes one target until it has used a given amount of CPU time, not wall
# time: on a shared machine a run of an hour of wall time may get minutes of
# CPU (docs/reliability.md, "Executions so far"), and CPU time is what counts.
#
#   scripts/fuzz-cpu.sh TARGET CPU_SECONDS
#
# Run `scripts/fuzz.sh 1 TARGET` first: it builds the target and seeds its
# work corpus ($FUZZ_CORPUS/TARGET, default build-fuzz/corpus/TARGET). This
# script then runs build-fuzz/fuzz/fuzz_TARGET on that corpus (random seed,
# -timeout=60 for a loaded machine), reads the fuzzer's CPU time
# (utime + stime in /proc/PID/stat) every 15 s and stops it with SIGINT once
# it reaches CPU_SECONDS; `/usr/bin/time -v` records the totals. The log is
# build-fuzz/cpu_TARGET.log (its last lines: executions, peak RSS), the times
# build-fuzz/cpu_TARGET.time. FUZZ_SAVE=1 merges the work corpus back into
# fuzz/corpus/TARGET minimised (scripts/fuzz-merge.sh, as scripts/fuzz.sh does).
# Exit status: 0 stopped at the budget, 1 a crash, 2 a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: scripts/fuzz-cpu.sh TARGET CPU_SECONDS" >&2; exit 2; }
t=$1
budget=$2
[[ $budget =~ ^[0-9]+$ ]] || { echo "fuzz-cpu.sh: CPU_SECONDS must be a whole number of seconds, not '$budget'" >&2; exit 2; }
build=${FUZZ_BUILD_DIR:-build-fuzz}
corpus=${FUZZ_CORPUS:-$build/corpus}/$t
bin=$build/fuzz/fuzz_$t
[ -x "$bin" ] || { echo "fuzz-cpu.sh: $bin not built; run scripts/fuzz.sh 1 $t first" >&2; exit 2; }
[ -d "$corpus" ] || { echo "fuzz-cpu.sh: no corpus $corpus; run scripts/fuzz.sh 1 $t first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "fuzz-cpu.sh: /usr/bin/time is missing (Debian package 'time')" >&2; exit 2; }
mkdir -p "$build/crashes/$t"
log=$build/cpu_$t.log
times=$build/cpu_$t.time
echo "fuzz_$t: until ${budget} s of CPU, corpus $corpus ($(ls "$corpus" | wc -l) files), started $(date -u +%FT%TZ)"
/usr/bin/time -v -o "$times" "$bin" "$corpus" -max_len=65536 -timeout=60 -rss_limit_mb=2048 \
  -artifact_prefix="$build/crashes/$t/" -print_final_stats=1 >"$log" 2>&1 &
timer=$!
fuzzer=""
for _ in $(seq 50); do
  fuzzer=$(pgrep -P "$timer" | head -n 1 || true)
  [ -n "$fuzzer" ] && break
  sleep 0.1
done
tick=$(getconf CLK_TCK)
while [ -n "$fuzzer" ] && kill -0 "$fuzzer" 2>/dev/null; do
  read -r ut st < <(awk '{print $14, $15}' "/proc/$fuzzer/stat" 2>/dev/null) || break
  if [ $(((ut + st) / tick)) -ge "$budget" ]; then
    kill -INT "$fuzzer" 2>/dev/null || true
    break
  fi
  sleep 15
done
rc=0
wait "$timer" || rc=$?
# libFuzzer exits with 72 when interrupted (the budget), 1 (or another code) on a crash.
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | sed "s/^/fuzz_$t: /" || true
grep -E '^#[0-9]+' "$log" | tail -n 1 | sed "s/^/fuzz_$t: last: /" || true
grep -E 'User time|System time|Elapsed' "$times" | sed "s/^[[:space:]]*/fuzz_$t: /" || true
if [ $rc -ne 0 ] && [ $rc -ne 72 ]; then
  echo "fuzz_$t: CRASH (exit $rc); see $log and $build/crashes/$t/"
  tail -n 60 "$log"
  exit 1
fi
if [ "${FUZZ_SAVE:-0}" = 1 ]; then FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-60} bash scripts/fuzz-merge.sh "$t"; fi
exit 0
