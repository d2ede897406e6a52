#!/usr/bin/env bash
# Measures `uplift simulate` throughput and peak memory on synthetic reference populations:
#   scripts/bench-simulate.sh [ROWS...]   (default: 1000000 3000000)
# Writes the populations to a temporary directory and removes them afterwards. Peak memory is
# the process's maximum resident set size (GNU time); it should not grow with the row count.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=("${@:-1000000 3000000}")
[ $# -eq 0 ] && rows=(1000000 3000000)
swift build -c release --product uplift >/dev/null
bin=.build/release/uplift
bundle=policies/certificate-uplift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
for n in "${rows[@]}"; do
  "$bin" synth "$bundle" --count "$n" --seed 1 > "$tmp/pop.jsonl"
  size=$(stat -c %s "$tmp/pop.jsonl")
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" simulate "$bundle" --population "$tmp/pop.jsonl" \
      --decisions "$tmp/decisions.jsonl" --summary "$tmp/summary.json" --quiet > /dev/null || true
  read -r seconds kb < "$tmp/time"
  echo "$n rows ($((size / 1000000)) MB JSONL): ${seconds}s, $(awk "BEGIN { printf \"%d\", $n / $seconds }") rows/s, peak RSS $((kb / 1024)) MB, decisions written"
done
