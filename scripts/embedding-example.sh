#!/usr/bin/env bash
# Builds examples/embedding (a package outside this one that sees only Uplift's public API),
# runs it on the reference policy and checks what it prints. Run by CI; about 90 s on a fresh
# machine (its own build of Yams, swift-crypto and the Uplift modules).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --package-path examples/embedding -Xswiftc -warnings-as-errors
bin="$(swift build --package-path examples/embedding --show-bin-path)/embed"
out="$("$bin" policies/certificate-uplift policies/certificate-uplift/examples)"
echo "$out"
fail() { echo "embedding example: $1" >&2; exit 1; }
grep -qxF 'readme: approve 2100 []' <<<"$out" || fail "the README's example no longer decides approve 2100"
grep -q '^refused: certificates\[0\].confidence: ' <<<"$out" || fail "a refused record does not name its field path"
grep -q '^threads: 64 decisions, all equal to the serial ones$' <<<"$out" || fail "threads decided differently"
# Each example file is named for its outcome.
while IFS= read -r line; do
  file="${line%%: *}"; outcome="$(cut -d' ' -f2 <<<"$line")"
  want="${file%%-*}"; [ "$want" = no ] && want=no_change
  [ "$outcome" = "$want" ] || fail "$file decided $outcome, not $want"
done < <(grep '\.json: ' <<<"$out")
[ "$(grep -c '\.json: ' <<<"$out")" -eq "$(ls policies/certificate-uplift/examples/*.json | wc -l)" ] || fail "not every example was decided"
echo "embedding example: ok"
