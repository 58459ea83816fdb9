#!/bin/sh
# Records the SIPp capture of bench/analyze.mjs: SIPp's built-in uac calling its built-in uas on loopback
# (INVITE, 100, 180, 200, ACK, BYE, 200 per call), recorded with dumpcap. Defaults: 84,000 calls at 500 calls/s
# (about 250 MB, 3 minutes), ports 26310 (uas) and 26311 (uac) of the analysis helper's range.
# Usage: sh bench/record-sipp-capture.sh OUT.pcap [CALLS] [RATE]
set -eu
OUT=${1:?usage: record-sipp-capture.sh OUT.pcap [CALLS] [RATE]}
CALLS=${2:-84000}
RATE=${3:-500}
UAS_PORT=26310
UAC_PORT=26311
TMP=$(mktemp -d)
cleanup() {
  [ -n "${UAS:-}" ] && kill "$UAS" 2>/dev/null || true
  [ -n "${CAP:-}" ] && kill "$CAP" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
dumpcap -q -i lo -f "udp port $UAS_PORT" -w "$TMP/capture.pcapng" -P 2>"$TMP/dumpcap.log" &
CAP=$!
sleep 1
sipp -sn uas -i 127.0.0.1 -p "$UAS_PORT" -nostdin >/dev/null 2>&1 &
UAS=$!
sleep 0.5
sipp -sn uac "127.0.0.1:$UAS_PORT" -i 127.0.0.1 -p "$UAC_PORT" -r "$RATE" -m "$CALLS" -l 100000 -d 0 -nostdin \
  -trace_stat -stf "$TMP/uac-stats.csv" >/dev/null 2>&1 || echo "sipp uac exited with $? (some calls failed: see its statistics)" >&2
sleep 1
kill "$CAP"; wait "$CAP" 2>/dev/null || true
CAP=
mv "$TMP/capture.pcapng" "$OUT"
ls -l "$OUT"
