#!/usr/bin/env bash
# Instructions per what-if on the reference policy, repeatable on a noisy machine:
# (I(4 s) - I(1 s)) / (n(4 s) - n(1 s)) over callgrind runs of a stripped release binary, so
# start-up cancels out. Needs valgrind (Debian: apt-get install valgrind). docs/PERFORMANCE.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product uplift --package-path "$root" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root/.build/release/uplift" "$tmp/uplift" && strip "$tmp/uplift"
run() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$1" "$tmp/uplift" bench "$root/policies/certificate-uplift" \
    --whatif --seconds "$1" --count 100 > "$tmp/out.$1" 2>&1
}
# A short and a long run (seconds; SHORT and LONG override, for a slow or busy machine).
short=${SHORT:-1}; long=${LONG:-4}
run "$short"; run "$long"
i1=$(grep Collected "$tmp/out.$short" | awk '{print $4}'); i4=$(grep Collected "$tmp/out.$long" | awk '{print $4}')
n1=$(grep "what-ifs:" "$tmp/out.$short" | awk '{print $2}'); n4=$(grep "what-ifs:" "$tmp/out.$long" | awk '{print $2}')
if [ "$n4" -le "$n1" ]; then
  echo "both runs did $n1 what-ifs: the machine is too slow for ${short} s against ${long} s; try LONG=12" >&2
  exit 1
fi
echo "what-ifs: $n1 and $n4; instructions per what-if: $(( (i4 - i1) / (n4 - n1) ))"
