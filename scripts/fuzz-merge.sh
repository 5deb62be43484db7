#!/usr/bin/env bash
# Merges a target's work corpus back into the repository's minimised corpus:
#
#   scripts/fuzz-merge.sh TARGET
#
# Runs build-fuzz/fuzz/fuzz_TARGET -merge=1 (the smallest set of inputs with
# the same coverage) from the work corpus ($FUZZ_CORPUS/TARGET, default
# build-fuzz/corpus/TARGET) into a fresh directory, then replaces
# fuzz/corpus/TARGET with it, dropping inputs over 16 KB (mutations of the
# large seeds, the shipped models, which every run copies in again). A merge
# that yields nothing leaves the corpus as it was. Not for xmile and vensim,
# whose corpora grow from the SDXorg suite's models (not to be copied into
# the project). Called by scripts/fuzz.sh and scripts/fuzz-cpu.sh with
# FUZZ_SAVE=1; FUZZ_TIMEOUT (default 10 s) is the per-input limit.
set -euo pipefail
cd "$(dirname "$0")/.."
t=$1
build=${FUZZ_BUILD_DIR:-build-fuzz}
corpus=${FUZZ_CORPUS:-$build/corpus}/$t
if [ "$t" = xmile ] || [ "$t" = vensim ]; then
  echo "fuzz_$t: corpus not saved into fuzz/corpus: it grows from the SDXorg suite's models; it stays in $corpus"
  exit 0
fi
fresh=$build/merge_$t
rm -rf "$fresh" && mkdir -p "$fresh"
"$build/fuzz/fuzz_$t" -merge=1 -max_len=65536 -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 "$fresh" "$corpus" \
  >"$build/merge_$t.log" 2>&1 || true
if [ -n "$(ls "$fresh")" ]; then
  mkdir -p "fuzz/corpus/$t"
  rm -f fuzz/corpus/"$t"/*
  cp "$fresh"/* "fuzz/corpus/$t/"
  find "fuzz/corpus/$t" -type f -size +16k -delete
else
  echo "fuzz_$t: the merge produced no inputs (see $build/merge_$t.log); fuzz/corpus/$t left as it was"
fi
echo "fuzz_$t: corpus saved: $(find "fuzz/corpus/$t" -type f | wc -l) files, $(cat fuzz/corpus/"$t"/* | wc -c) bytes"
