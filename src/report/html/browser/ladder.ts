/**
 * Browser part of the report: ladder diagrams (like Wireshark's flow graph and sngrep's call flow) drawn on demand
 * from the embedded message detail, and the text of a clicked message. Columns are endpoints (address:port, with
 * the User-Agent or Server seen from them), arrows are messages with method or status and time; retransmissions
 * dashed, 403 Forbidden in red.
 */
export const LADDER_SCRIPT = String.raw`
var detailLines = null;
var blockOfCall = null;
var blocksLoading = new Map();
var ladderBoxes = new Map();
var COLUMN_WIDTH = 230, TIME_GUTTER = 190, ROW_HEIGHT = 34, HEADER_HEIGHT = 58;

/** One block of the details element: base64 of gzipped JSON rows, inflated by the browser's DecompressionStream. */
function inflateBlock(block) {
  if (detailLines === null) {
    detailLines = document.getElementById('report-details').textContent.split('\n').filter(function (line) { return line.length > 0; });
  }
  var binary = atob(detailLines[block]);
  var bytes = new Uint8Array(binary.length);
  for (var index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text().then(function (text) {
    var byCallId = new Map();
    JSON.parse(text).forEach(function (row) { byCallId.set(row[0], row); });
    return byCallId;
  });
}

/** A promise of the detail row of a Call-ID (undefined when none is embedded); a block is inflated once. */
function detailOf(callId) {
  if (blockOfCall === null) blockOfCall = new Map(DATA.detailCalls);
  var block = blockOfCall.get(callId);
  if (block === undefined) return Promise.resolve(undefined);
  if (!blocksLoading.has(block)) blocksLoading.set(block, inflateBlock(block));
  return blocksLoading.get(block).then(function (byCallId) { return byCallId.get(callId); });
}

function callRowOf(callId) {
  if (!callRowOf.index) {
    callRowOf.index = new Map();
    DATA.calls.forEach(function (row) { callRowOf.index.set(row[0], row); });
  }
  return callRowOf.index.get(callId);
}

function findingsOf(callId) {
  return DATA.findings.filter(function (row) { return row[3] === callId; });
}

/** A closed <details> for a Call-ID; its ladder is drawn the first time it is opened. */
function ladderBox(callId) {
  var row = callRowOf(callId);
  var kinds = findingsOf(callId).map(function (finding) { return finding[1]; });
  var title = [callId];
  if (row) title.push(' \u2014 ' + row[1] + ' \u2192 ' + row[2] + ', ' + row[6] + ', ' + callDurationText(row));
  if (kinds.length) title.push(' \u2014 ' + kinds.filter(function (kind, index) { return kinds.indexOf(kind) === index; }).join(', '));
  var box = h('details', { class: 'call-box', 'data-call-id': callId }, h('summary', null, title));
  box.addEventListener('toggle', function () { if (box.open && !box.drawn) drawLadderInto(box, callId); });
  ladderBoxes.set(callId, box);
  return box;
}

function openCall(callId) {
  var box = ladderBoxes.get(callId);
  if (!box) {
    box = ladderBox(callId);
    document.getElementById('ladders-other').prepend(box);
  }
  box.open = true;
  if (!box.drawn) drawLadderInto(box, callId);
  box.scrollIntoView({ block: 'start' });
}

function drawLadderInto(box, callId) {
  box.drawn = true;
  var note = h('p', { class: 'note' }, 'reading the messages\u2026');
  box.appendChild(note);
  detailOf(callId).then(function (detail) {
    if (!detail) {
      note.textContent = 'No message detail is embedded for this call: the report keeps it for calls with findings and the first --max-calls others (raise --max-calls, or run sipscope flow).';
      return;
    }
    note.remove();
    var findings = findingsOf(callId);
    if (findings.length) box.appendChild(h('ul', { class: 'call-findings' }, findings.map(function (finding) {
      return h('li', null, [severityBadge(finding[0]), ' ', finding[1] + ' at ' + isoAt(finding[2]) + ': ' + finding[6]]);
    })));
    var panel = h('div', { class: 'message-panel', hidden: 'hidden' });
    box.appendChild(h('div', { class: 'ladder-box' }, ladderSvg(detail, panel)));
    if (detail[3] > 0) box.appendChild(h('p', { class: 'note' }, detail[3] + ' more messages not shown.'));
    box.appendChild(panel);
  }).catch(function (error) {
    note.textContent = 'The messages of this call could not be read: ' + error;
  });
}

function arrowLabel(message) {
  var label = message[3];
  if (message[6]) label += ' (' + message[7].replace(/^\d+\s*/, '') + ')';
  return label;
}

function ladderSvg(detail, panel) {
  var columns = detail[1], messages = detail[2];
  var width = TIME_GUTTER + Math.max(2, columns.length) * COLUMN_WIDTH;
  var height = HEADER_HEIGHT + messages.length * ROW_HEIGHT + 16;
  var center = function (column) { return TIME_GUTTER + column * COLUMN_WIDTH + COLUMN_WIDTH / 2; };
  var svg = s('svg', { class: 'ladder', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'ladder diagram' });
  svg.appendChild(s('text', { class: 'ladder-head', x: 8, y: 18 }, 'time (UTC)'));
  svg.appendChild(s('text', { class: 'ladder-sub', x: 8, y: 34 }, '+ since first'));
  columns.forEach(function (column, index) {
    var x = center(index);
    svg.appendChild(s('text', { class: 'ladder-head endpoint', x: x, y: 18, 'text-anchor': 'middle' }, [column[0], s('title', null, column[0] + (column[1] ? ' \u2014 ' + column[1] : ''))]));
    svg.appendChild(s('text', { class: 'ladder-sub agent', x: x, y: 34, 'text-anchor': 'middle' }, [truncated(column[1] || '', 34), s('title', null, column[1] || 'no User-Agent / Server seen')]));
    svg.appendChild(s('line', { class: 'lifeline', x1: x, x2: x, y1: HEADER_HEIGHT - 12, y2: height - 4 }));
  });
  var firstUs = messages.length ? messages[0][0] : 0;
  var selected = null;
  messages.forEach(function (message, index) {
    var y = HEADER_HEIGHT + index * ROW_HEIGHT + 20;
    var from = center(message[1]), to = center(message[2]);
    var classes = ['msg'];
    if (message[6] === 403) classes.push('status-403');
    else if (message[6] >= 400) classes.push('status-error');
    if (message[5]) classes.push('retransmission');
    var group = s('g', { class: classes.join(' '), tabindex: 0, role: 'button', 'data-packet': message[4], 'data-status': message[6] || null, 'aria-label': 'message ' + message[4] });
    group.appendChild(s('rect', { class: 'hit', x: 0, y: y - 22, width: width, height: ROW_HEIGHT }));
    group.appendChild(s('text', { class: 'ladder-time', x: 8, y: y - 6 }, clockAt(message[0])));
    group.appendChild(s('text', { class: 'ladder-sub', x: 8, y: y + 8 }, '+' + ((message[0] - firstUs) / 1e6).toFixed(6) + ' s'));
    var label = arrowLabel(message) + (message[5] ? ' \u21bb retransmission' : '');
    if (from === to) {
      group.appendChild(s('path', { class: 'arrow', d: 'M' + from + ' ' + (y - 8) + ' h30 v12 h-26' }));
      group.appendChild(s('path', { class: 'arrow-head', d: 'M' + (from + 4) + ' ' + (y + 4) + ' l7 -4 v8 z' }));
      group.appendChild(s('text', { class: 'arrow-label', x: from + 36, y: y - 2 }, label));
    } else {
      var direction = to > from ? 1 : -1;
      group.appendChild(s('line', { class: 'arrow', x1: from, x2: to - direction * 8, y1: y, y2: y }));
      group.appendChild(s('path', { class: 'arrow-head', d: 'M' + to + ' ' + y + ' l' + (-direction * 9) + ' -5 v10 z' }));
      group.appendChild(s('text', { class: 'arrow-label', x: (from + to) / 2, y: y - 6, 'text-anchor': 'middle' }, [truncated(label, 44), s('title', null, label + ' \u2014 packet ' + message[4])]));
      group.appendChild(s('text', { class: 'arrow-packet', x: (from + to) / 2, y: y + 12, 'text-anchor': 'middle' }, '#' + message[4]));
    }
    var show = function () {
      if (selected) selected.classList.remove('selected');
      selected = group;
      group.classList.add('selected');
      showMessage(panel, detail, message);
    };
    group.addEventListener('click', show);
    group.addEventListener('keydown', function (event) { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); show(); } });
    svg.appendChild(group);
  });
  return svg;
}

function showMessage(panel, detail, message) {
  var columns = detail[1];
  panel.hidden = false;
  panel.replaceChildren(
    h('h4', null, 'Packet #' + message[4] + ' \u00b7 ' + isoAt(message[0]) + ' \u00b7 ' + columns[message[1]][0] + ' \u2192 ' + columns[message[2]][0] + ' \u00b7 ' + message[8] + (message[5] ? ' \u00b7 retransmission' : '')),
    h('pre', { class: 'message-text' }, message[9])
  );
}

function laddersSection() {
  var withFindings = [];
  var seen = new Set();
  DATA.findings.forEach(function (row) {
    if (row[3] && !seen.has(row[3])) { seen.add(row[3]); withFindings.push(row[3]); }
  });
  var listed = withFindings.slice(0, 500);
  return section('ladders', 'Ladders', [
    h('p', null, 'Calls with findings (' + numberText(withFindings.length) + (listed.length < withFindings.length ? ', first ' + listed.length + ' listed; the others open from the tables' : '') + '). Open one to draw its ladder; click a message to see its text.'),
    h('div', { id: 'ladders-findings' }, listed.map(ladderBox)),
    h('h3', null, 'Other calls opened'),
    h('div', { id: 'ladders-other' }),
  ]);
}
`;
