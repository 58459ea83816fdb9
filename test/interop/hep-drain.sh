#!/usr/bin/env bash
# Usage: hep-drain.sh OUT_DIR
# Issue 11 proof: the drain step of a two-phase rotation fed by Kamailio's siptrace. Kamailio (registrar + proxy,
# digest auth from sqlite, as in fixtures/recordings/record-revocation.sh) mirrors every message as HEP v3 to
# `sipscope rotate drain --hep-listen 127.0.0.1:26340`, in a network namespace of its own. bob (the old credential)
# has two calls up, carol (the new credential) is re-checked every 2 s; the drain must wait until bob's second
# call has ended. Writes OUT_DIR/drain.jsonl (progress events and the report), OUT_DIR/drain.err and
# OUT_DIR/bob-calls-ended (the time, in seconds since the epoch, when SIPp ended bob's last call).
source "$(dirname "$0")/../../fixtures/recordings/lib.sh"
out=${1:?usage: hep-drain.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
t=u1

ns_up
make_subscribers alice bob carol
password_of() { sed -n 's/.*password=\([^]]*\)].*/\1/p' "$WORK/$1.csv"; }
start_kamailio WITH_HEP
wait_listen udp 127.0.0.1:5060
ip netns exec "$NS" env OLD_PW="$(password_of bob)" NEW_PW="$(password_of carol)" node "$root/bin/sipscope.js" rotate drain \
  --uri sip:127.0.0.1:5060 --old-user bob --old-password-env OLD_PW --new-user carol --new-password-env NEW_PW \
  --hep-listen 127.0.0.1:26340 --window 6s --recheck 2s --max-wait 60s --t1 100 --timeout 3s --jsonl \
  >"$out/drain.jsonl" 2>"$out/drain.err" </dev/null &
BG_PIDS+=($!)
drain=$!
wait_listen udp 127.0.0.1:26340

callee 127.0.0.20 "$t"
wait_listen udp 127.0.0.20:5060
register reg-carol carol 127.0.0.30 127.0.0.20:5060 "$t"
register reg-bob bob 127.0.0.30 127.0.0.30:5060 "$t"
scenario bob1 3 2000
scenario bob2 5 2000
caller bob1 bob 127.0.0.21 "$t"
sleep 0.3
caller bob2 bob 127.0.0.22 "$t"
wait_for_pid "$bob1_PID" bob1
wait_for_pid "$bob2_PID" bob2
date +%s.%N >"$out/bob-calls-ended"
wait "$drain" || echo "drain exited $?" >>"$out/drain.err"
