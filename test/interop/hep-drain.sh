#!/usr/bin/env bash
# Usage: hep-drain.sh OUT_DIR [hep|pcap]
# Issue 11 proof: the drain step of a two-phase rotation fed by a live source, in a network namespace of its own.
# Kamailio (registrar + proxy, digest auth from sqlite, as in fixtures/recordings/record-revocation.sh) sits
# between SIPp callers and a SIPp callee. The live source is
#   hep:  Kamailio's siptrace mirroring every message as HEP v3 to `rotate drain --hep-listen 127.0.0.1:26340`;
#   pcap: `tcpdump -i lo -U -w - port 5060` piped into `rotate drain --pcap-stdin`. bob (the old credential)
# has two calls up, carol (the new credential) is re-checked every 2 s; the drain must wait until bob's second
# call has ended. Writes OUT_DIR/drain.jsonl (progress events and the report), OUT_DIR/drain.err and
# OUT_DIR/bob-calls-ended (the time, in seconds since the epoch, when SIPp ended bob's last call).
source "$(dirname "$0")/../../fixtures/recordings/lib.sh"
out=${1:?usage: hep-drain.sh OUT_DIR [hep|pcap]}
mode=${2:-hep}
root=$(cd "$(dirname "$0")/../.." && pwd)
t=u1

ns_up
make_subscribers alice bob carol
password_of() { sed -n 's/.*password=\([^]]*\)].*/\1/p' "$WORK/$1.csv"; }
drain_args=(rotate drain --uri sip:127.0.0.1:5060 --old-user bob --old-password-env OLD_PW --new-user carol --new-password-env NEW_PW
  --window 6s --recheck 2s --max-wait 60s --t1 100 --timeout 3s --jsonl)
secrets=(env OLD_PW="$(password_of bob)" NEW_PW="$(password_of carol)")
if [ "$mode" = hep ]; then
  start_kamailio WITH_HEP
  wait_listen udp 127.0.0.1:5060
  ip netns exec "$NS" "${secrets[@]}" node "$root/bin/sipscope.js" "${drain_args[@]}" --hep-listen 127.0.0.1:26340 \
    >"$out/drain.jsonl" 2>"$out/drain.err" </dev/null &
  BG_PIDS+=($!)
  drain=$!
  wait_listen udp 127.0.0.1:26340
else
  start_kamailio
  wait_listen udp 127.0.0.1:5060
  # the pipe's reader is the drain; tcpdump ends on SIGPIPE once the drain has closed stdin
  ip netns exec "$NS" sh -c 'echo $$ >"$1"; exec tcpdump -i lo -U -s 0 -w - port 5060' sh "$WORK/tcpdump.pid" 2>"$out/tcpdump.err" \
    | ip netns exec "$NS" "${secrets[@]}" node "$root/bin/sipscope.js" "${drain_args[@]}" --pcap-stdin \
    >"$out/drain.jsonl" 2>"$out/drain.err" &
  BG_PIDS+=($!)
  drain=$!
  trap 'status=$?; kill "$(cat "$WORK/tcpdump.pid" 2>/dev/null)" 2>/dev/null || true; set +e; (exit $status); cleanup' EXIT
  for _ in $(seq 50); do grep -q "listening on lo" "$out/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
fi

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
# in pcap mode tcpdump may still wait for a packet to notice its reader is gone
if [ "$mode" = pcap ]; then kill "$(cat "$WORK/tcpdump.pid")" 2>/dev/null || true; fi
