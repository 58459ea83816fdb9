#!/usr/bin/env bash
# Usage: hep-revocation.sh OUT_DIR
# The revocation story of fixtures/recordings/record-revocation.sh (UDP), played again with Kamailio's siptrace
# mirroring every message as HEP v3 to `sipscope analyze --hep-listen 127.0.0.1:26340 --jsonl` (live), while
# tcpdump captures the SIP traffic itself (not the HEP copies). Writes OUT_DIR/live.jsonl (the live run's events,
# ended by SIGTERM), OUT_DIR/live.err and OUT_DIR/capture.pcap, for test/interop/hep-live.test.ts to compare.
source "$(dirname "$0")/../../fixtures/recordings/lib.sh"
out=${1:?usage: hep-revocation.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
t=u1

ns_up
make_subscribers alice bob carol
ip netns exec "$NS" node "$root/bin/sipscope.js" analyze --hep-listen 127.0.0.1:26340 --jsonl >"$out/live.jsonl" 2>"$out/live.err" </dev/null &
BG_PIDS+=($!)
analyzer=$!
wait_listen udp 127.0.0.1:26340
start_kamailio WITH_HEP
wait_listen udp 127.0.0.1:5060
start_capture tcpdump "$WORK/capture.pcap" not port 26340

callee 127.0.0.20 "$t"
wait_listen udp 127.0.0.20:5060
register reg-carol carol 127.0.0.30 127.0.0.20:5060 "$t"
register reg-alice alice 127.0.0.10 127.0.0.10:5060 "$t"
register reg-bob bob 127.0.0.30 127.0.0.30:5060 "$t"

scenario alice1 6 2000
scenario bob1 3 2000
scenario alice2 4 3000
scenario bob2 6 2500
scenario alice3 6 1500
t0=$(date +%s.%N)
at() { sleep "$(python3 -c "import sys,time; print(max(0, $t0 + $1 - time.time()))")"; }
caller alice1 alice 127.0.0.11 "$t"
at 0.25; caller bob1 bob 127.0.0.21 "$t"
at 0.5;  caller alice2 alice 127.0.0.12 "$t"
at 0.75; caller bob2 bob 127.0.0.22 "$t"
at 1.0;  caller alice3 alice 127.0.0.13 "$t"
at 9.1;  revoke alice; log "alice revoked"
wait_for_pid "$alice1_PID" alice1
wait_for_pid "$alice2_PID" alice2
wait_for_pid "$alice3_PID" alice3
at 12
register reg-alice-after alice 127.0.0.10 127.0.0.10:5060 "$t"
register reg-bob-after bob 127.0.0.30 127.0.0.30:5060 "$t"
wait_for_pid "$bob1_PID" bob1
wait_for_pid "$bob2_PID" bob2
stop_capture
sleep 1
kill -TERM "$analyzer"
wait "$analyzer" || true
cp "$WORK/capture.pcap" "$out/capture.pcap"
