/** Browser part of the report: the summary (files and span, messages, calls by state, findings, decode problems). */
export const SUMMARY_SCRIPT = String.raw`
function keyValueTable(rows, className) {
  // a null row is one that does not apply (the --user note without --user)
  return h('table', { class: className || 'kv' }, h('tbody', null, rows.filter(Boolean).map(function (row) {
    return h('tr', null, [h('th', { scope: 'row' }, row[0]), h('td', null, row[1])]);
  })));
}

function countsLine(record) {
  var keys = Object.keys(record);
  if (keys.length === 0) return 'none';
  return keys.map(function (key) { return key + ' ' + numberText(record[key]); }).join(' \u00b7 ');
}

function severityBadge(severity) {
  return h('span', { class: 'badge sev-' + (severity === 'error' || severity === 'warning' ? severity : 'info') }, severity);
}

function summarySection() {
  var summary = DATA.summary;
  var lastUs = DATA.timeline.endUs;
  var span = summary.sipMessages > 0 ? [isoAt(0), ' \u2192 ', isoAt(lastUs), ' (' + durationText(lastUs / 1000) + ')'] : 'no SIP message';
  var overview = keyValueTable([
    ['capture files', h('ul', { class: 'files' }, DATA.files.map(function (file) { return h('li', null, file); }))],
    ['span', h('span', null, span)],
    ['packets', numberText(summary.packets)],
    ['SIP messages', numberText(summary.sipMessages)],
  ].concat(summary.mirrorCopies > 0 ? [['HEP mirror copies set aside', numberText(summary.mirrorCopies)]] : [], [
    ['requests', countsLine(summary.requests)],
    ['responses', countsLine(summary.responses)],
    ['calls' + ofUser(), numberText(summary.calls)],
    ['decode problems', h('span', { id: 'decode-errors' }, numberText(summary.decodeErrors))],
    ['filters', DATA.filters.length ? DATA.filters.join(' ') : 'none'],
    DATA.user === null ? null : ['--user', 'calls, findings, revocations and durations are ' + DATA.user + '\'s; packets, messages, requests and responses are everyone\'s'],
    ['credentials', DATA.showSecrets ? 'shown as captured (--show-secrets)' : 'Authorization / Proxy-Authorization response redacted'],
  ]));
  var states = h('table', { class: 'grid', id: 'calls-by-state' }, [
    h('thead', null, h('tr', null, [h('th', null, 'state'), h('th', null, 'calls')])),
    h('tbody', null, DATA.states.map(function (entry) {
      return h('tr', null, [h('td', null, entry[0]), h('td', { class: 'num' }, numberText(entry[1]))]);
    })),
  ]);
  var kinds = h('table', { class: 'grid', id: 'findings-by-kind' }, [
    h('thead', null, h('tr', null, [h('th', null, 'severity'), h('th', null, 'kind'), h('th', null, 'findings')])),
    h('tbody', null, DATA.findingKinds.length === 0
      ? h('tr', null, h('td', { colspan: 3 }, 'no findings'))
      : DATA.findingKinds.map(function (entry) {
        return h('tr', null, [h('td', null, severityBadge(entry[1])), h('td', null, entry[0]), h('td', { class: 'num' }, numberText(entry[2]))]);
      })),
  ]);
  var where = function (issue) {
    // damage that never became a packet lies before the packet read after it (src/cli/issue-line.ts, issuePlace)
    var packet = issue.packetNumber !== undefined ? 'packet ' + issue.packetNumber : issue.beforePacket !== undefined ? 'before packet ' + issue.beforePacket : undefined;
    // of a .gz input, damage inside the capture counts inflated bytes
    var offset = issue.offset !== undefined ? (issue.offsetInflated ? 'inflated offset ' : 'offset ') + issue.offset : undefined;
    return [issue.file, packet, offset].filter(function (part) { return part !== undefined; }).join(', ');
  };
  var problemList = function (id, title, list) {
    return list.length === 0 ? null : h('details', { class: 'issues', id: id }, [
      h('summary', null, title),
      h('ul', null, list.map(function (issue) { return h('li', null, (where(issue) ? where(issue) + ': ' : '') + issue.code + ': ' + issue.message); })),
    ]);
  };
  var decodeTitle = DATA.decodeIssues.length + ' decode problems listed' + (summary.decodeErrors > DATA.decodeIssues.length ? ' (of ' + numberText(summary.decodeErrors) + ')' : '');
  return section('summary', 'Summary', [
    h('div', { class: 'columns' }, [
      h('div', null, overview),
      h('div', null, [h('h3', null, 'Calls by state'), states]),
      h('div', null, [h('h3', null, 'Findings by kind'), kinds]),
    ]),
    problemList('decode-issues', decodeTitle, DATA.decodeIssues),
    problemList('analysis-issues', DATA.issues.length + ' analysis problems listed', DATA.issues),
  ]);
}
`;
