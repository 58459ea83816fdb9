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
drain_args=(rotate drain --uri sip:127.0.0.1:5060 --old-user bob --old-password-file "$WORK/old.pw" --new-user carol --new-password-file "$WORK/new.pw"
  --window 6s --recheck 2s --max-wait 60s --t1 100 --timeout 3s --jsonl)
# passwords from files, so that a diagnostic report (which lists the environment) holds none
(umask 077; password_of bob >"$WORK/old.pw"; password_of carol >"$WORK/new.pw")
node_diag=(--report-on-signal --report-signal=SIGUSR2 --report-directory="$out")
if [ "$mode" = hep ]; then
  start_kamailio WITH_HEP
  wait_listen udp 127.0.0.1:5060
  ip netns exec "$NS" node "${node_diag[@]}" "$root/bin/sipscope.js" "${drain_args[@]}" --hep-listen 127.0.0.1:26340 \
    >"$out/drain.jsonl" 2>"$out/drain.err" </dev/null &
  BG_PIDS+=($!)
  drain=$!
  wait_listen udp 127.0.0.1:26340
else
  start_kamailio
  wait_listen udp 127.0.0.1:5060
  # the pipe's reader is the drain; tcpdump ends on SIGPIPE once the drain has closed stdin
  ip netns exec "$NS" sh -c 'echo $$ >"$1"; exec tcpdump -i lo -U -s 0 -w - port 5060' sh "$WORK/tcpdump.pid" 2>"$out/tcpdump.err" \
    | ip netns exec "$NS" node "${node_diag[@]}" "$root/bin/sipscope.js" "${drain_args[@]}" --pcap-stdin \
    >"$out/drain.jsonl" 2>"$out/drain.err" &
  BG_PIDS+=($!)
  drain=$!
  trap 'status=$?; kill "$(cat "$WORK/tcpdump.pid" 2>/dev/null)" 2>/dev/null || true; set +e; (exit $status); cleanup' EXIT
  for _ in $(seq 50); do grep -q "listening on lo" "$out/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
fi

log "$mode: source up, starting the callee and registering"
callee 127.0.0.20 "$t"
wait_listen udp 127.0.0.20:5060
register reg-carol carol 127.0.0.30 127.0.0.20:5060 "$t"
register reg-bob bob 127.0.0.30 127.0.0.30:5060 "$t"
log "$mode: registered; bob's two calls"
scenario bob1 3 2000
scenario bob2 5 2000
caller bob1 bob 127.0.0.21 "$t"
sleep 0.3
caller bob2 bob 127.0.0.22 "$t"
wait_for_pid "$bob1_PID" bob1
wait_for_pid "$bob2_PID" bob2
date +%s.%N >"$out/bob-calls-ended"
log "$mode: bob's calls ended; waiting for the drain"
# bounded: the drain gives up by itself (--max-wait); should its process still not end, its open libuv handles
# (a Node diagnostic report, --report-on-signal) say what keeps it alive
running() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]; }
for ((k = 0; k < 600; k++)); do running "$drain" || break; sleep 0.1; done
if running "$drain"; then
  log "$mode: the drain is still running 60 s after bob's calls ended; the handles that keep it alive:"
  kill -USR2 "$drain"; sleep 2
  python3 -c 'import json,sys; [print(h) for f in sys.argv[1:] for h in json.load(open(f))["libuv"] if h.get("is_active") and h.get("is_referenced")]' "$out"/report.*.json >&2 || true
  kill "$drain" 2>/dev/null || true; sleep 2; if running "$drain"; then kill -KILL "$drain" 2>/dev/null || true; fi
fi
wait "$drain" || echo "drain exited $?" >>"$out/drain.err"
log "$mode: the drain has exited"
# in pcap mode tcpdump may still wait for a packet to notice its reader is gone
if [ "$mode" = pcap ]; then kill "$(cat "$WORK/tcpdump.pid")" 2>/dev/null || true; fi
