/** The report's one style sheet (allowed by its hash in the page's CSP; no style attributes anywhere). */
export const REPORT_STYLE = `
:root { color-scheme: light; --red: #cc0000; --amber: #b26b00; --blue: #1f5fa8; --green: #2e7d32; --grey: #666; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; background: #fafafa; }
header { padding: 12px 24px; background: #14324f; color: #fff; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 2px 0 0; opacity: .8; font-size: 12px; }
nav { background: #fff; border-bottom: 1px solid #ddd; padding: 6px 24px; }
nav a { margin-right: 16px; color: var(--blue); text-decoration: none; }
main { padding: 0 24px 48px; }
section { margin-top: 24px; }
h2 { font-size: 18px; border-bottom: 2px solid #14324f; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 8px 0; }
.columns { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; }
table { border-collapse: collapse; background: #fff; }
.kv th { text-align: left; padding: 2px 16px 2px 0; color: var(--grey); font-weight: normal; vertical-align: top; }
.kv td { padding: 2px 0; }
.files { margin: 0; padding: 0; list-style: none; }
.grid th, .grid td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.grid th { background: #f0f3f6; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.time, .call-id, .packets { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; white-space: nowrap; }
.call-id { max-width: 340px; overflow: hidden; text-overflow: ellipsis; }
.message { min-width: 320px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; color: #fff; }
.sev-error { background: var(--red); }
.sev-warning { background: var(--amber); }
.sev-info { background: var(--blue); }
.state-torn-down, .state-failed { color: var(--red); }
button.sort { border: 0; background: none; font: inherit; font-weight: bold; cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button.sort::after { content: " \\25B2"; }
th[aria-sort="descending"] button.sort::after { content: " \\25BC"; }
.controls { display: flex; gap: 16px; align-items: center; margin: 8px 0; }
.pager { margin: 6px 0; color: var(--grey); }
.table-box { overflow-x: auto; }
.chart-box { background: #fff; border: 1px solid #ddd; padding: 8px; }
svg.chart { width: 100%; height: auto; display: block; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
.axis { fill: var(--grey); }
.axis-line, .lane-line { stroke: #bbb; }
.grid-line { stroke: #eee; }
.active-area { fill: #9ec5ea; stroke: var(--blue); stroke-width: 1; }
.registration { fill: var(--green); }
.forbidden, .forbidden-mark { fill: var(--red); }
.damaged-bar { fill: #f2b8b8; stroke: var(--red); stroke-width: .5; cursor: pointer; }
.revocation { stroke: var(--red); stroke-width: 2; stroke-dasharray: 6 3; }
.revocation-label { fill: var(--red); font-weight: bold; }
.drain { fill: #ffe7a8; opacity: .6; }
.drain-label { fill: var(--amber); }
.lane-label { font-weight: bold; }
.bar { fill: #9ec5ea; stroke: var(--blue); stroke-width: .5; }
.percentile { stroke: var(--grey); stroke-dasharray: 4 2; }
.pct-p99 { stroke: var(--red); stroke-dasharray: none; stroke-width: 2; }
.pct-max { stroke: #000; }
.percentile-label { font-weight: bold; }
.legend { color: var(--grey); font-size: 12px; }
.key { display: inline-block; width: 12px; height: 10px; margin-left: 8px; vertical-align: middle; }
.key-active { background: #9ec5ea; }
.key-registration { background: var(--green); }
.key-forbidden, .key-revocation { background: var(--red); }
.key-drain { background: #ffe7a8; }
.key-damaged { background: #f2b8b8; border: 1px solid var(--red); }
.call-box { background: #fff; border: 1px solid #ddd; margin: 6px 0; padding: 4px 8px; }
.call-box > summary { cursor: pointer; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.ladder-box { overflow-x: auto; }
svg.ladder { display: block; background: #fff; }
.ladder-head { font-weight: bold; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.ladder-sub { fill: var(--grey); font-size: 10px; }
.ladder-time { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.lifeline { stroke: #999; stroke-dasharray: 2 3; }
.msg { cursor: pointer; }
.msg .hit { fill: transparent; }
.msg:hover .hit, .msg:focus .hit { fill: #eef4fb; }
.msg.selected .hit { fill: #dceaf8; }
.msg .arrow { stroke: #222; stroke-width: 1.5; fill: none; }
.msg .arrow-head { fill: #222; }
.msg .arrow-packet { fill: var(--grey); font-size: 10px; }
.msg.retransmission .arrow { stroke-dasharray: 5 4; stroke: var(--grey); }
.msg.retransmission .arrow-label { fill: var(--grey); font-style: italic; }
.msg.status-error .arrow { stroke: var(--amber); }
.msg.status-error .arrow-head, .msg.status-error .arrow-label { fill: var(--amber); }
.msg.status-403 .arrow { stroke: var(--red); stroke-width: 2.5; }
.msg.status-403 .arrow-head, .msg.status-403 .arrow-label { fill: var(--red); font-weight: bold; }
.message-panel { border: 1px solid #ccc; background: #f6f8fa; margin: 8px 0; padding: 4px 8px; }
.message-panel h4 { margin: 4px 0; font-size: 12px; }
.message-text { white-space: pre-wrap; word-break: break-all; font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; margin: 0; max-height: 480px; overflow: auto; }
.note { color: var(--grey); font-style: italic; }
.call-findings { margin: 4px 0; padding-left: 18px; }
`;
