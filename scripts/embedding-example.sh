#!/usr/bin/env bash
# Builds examples/embedding (a package outside this one that sees only Uplift's public API),
# runs it on the reference policy and checks what it prints. Run by CI; about 90 s on a fresh
# machine (its own build of Yams, swift-crypto and the Uplift modules).
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "embedding example: $1" >&2; exit 1; }
swift build --package-path examples/embedding -Xswiftc -warnings-as-errors
bin="$(swift build --package-path examples/embedding --show-bin-path)/embed"
out="$("$bin" policies/certificate-uplift policies/certificate-uplift/examples 2>&1)" || { echo "$out" >&2; fail "embed exited with an error"; }
echo "$out"
check() { grep -q "$1" <<<"$out" || { echo "$out" >&2; fail "$2"; }; }
check '^load error: E[0-9][0-9]* ' "a bundle that does not exist gave no located error"
check '^policy: certificate-uplift ' "the reference policy did not load"
grep -qxF 'readme: approve 2100 []' <<<"$out" || fail "the README's example no longer decides approve 2100"
grep -qxF 'built: no_change' <<<"$out" || fail "the applicant built field by field did not decide no_change"
check '^refused: certificates\[0\]\.confidence: ' "a refused record does not name its field path"
check '^threads: 16 threads, [0-9]* decisions, all equal to the serial ones$' "threads decided differently"
# Each example file is named for its outcome.
while IFS= read -r line; do
  file="${line%%: *}"; outcome="$(cut -d' ' -f2 <<<"$line")"
  want="${file%%-*}"; [ "$want" = no ] && want=no_change
  [ "$outcome" = "$want" ] || fail "$file decided $outcome, not $want"
done < <(grep '\.json: ' <<<"$out")
[ "$(grep -c '\.json: ' <<<"$out")" -eq "$(ls policies/certificate-uplift/examples/*.json | wc -l)" ] || fail "not every example was decided"
echo "embedding example: ok"
