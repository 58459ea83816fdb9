#!/bin/sh
# Records `sipscope analyze --json` of every fixture capture as the code of COMMIT produces it, into
# test/analysis/golden/<capture path>.json. These files are the "before" of the streaming analyzer (issue 9):
# test/analysis/streamed-golden.test.ts checks that today's streamed --json says the same.
# They were made with COMMIT=acb98a4 (main before the streaming analyzer); rerun to check:
#   sh test/analysis/golden/record-golden.sh acb98a4
set -eu
COMMIT=${1:?usage: record-golden.sh COMMIT}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TMP=$(mktemp -d)
trap 'git -C "$ROOT" worktree remove --force "$TMP/old" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
git -C "$ROOT" worktree add --detach "$TMP/old" "$COMMIT" >/dev/null
ln -s "$ROOT/node_modules" "$TMP/old/node_modules"
(cd "$TMP/old" && npx tsc -p tsconfig.json >/dev/null)
cd "$ROOT"
find fixtures/captures -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' -o -name '*.pcapng.gz' \) | sort | while read -r capture; do
  out="test/analysis/golden/$capture.json"
  mkdir -p "$(dirname "$out")"
  # exit 1 only means an error finding was found
  node "$TMP/old/bin/sipscope.js" analyze "$capture" --json --fail-on info >"$out" 2>/dev/null || [ $? -le 1 ]
done
echo "recorded from $(git -C "$ROOT" rev-parse "$COMMIT")"
