#!/usr/bin/env bash
# Runs the libFuzzer target for a given time: scripts/fuzz.sh [SECONDS] (default 300).
# Crashes are written to Fuzz/artifacts/; the corpus grows in Fuzz/corpus/ (both ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
mkdir -p Fuzz/corpus Fuzz/artifacts
# Seed the corpus with the reference bundle's real inputs (first byte selects the target).
for f in policies/certificate-uplift/examples/*.json; do { printf '\x00'; cat "$f"; } > "Fuzz/corpus/applicant-$(basename "$f")"; done
{ printf '\x01'; cat policies/certificate-uplift/policy.uplift; } > Fuzz/corpus/policy
{ printf '\x02'; cat policies/certificate-uplift/tables/segments.yaml; } > Fuzz/corpus/segments
# lld: gold crashes linking the libFuzzer runtime with Swift objects here.
(cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld --product UpliftFuzz)
UPLIFT_FUZZ_BUNDLE="$PWD/policies/certificate-uplift" Fuzz/.build/release/UpliftFuzz \
  -max_total_time="$seconds" -artifact_prefix=Fuzz/artifacts/ -max_len=8192 Fuzz/corpus
