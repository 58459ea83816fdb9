/**
 * Browser part of the report: the timeline (calls in progress, registrations and 403s per credential, revocations,
 * the drain window, damaged calls) and the call-duration histogram, drawn as SVG from pre-binned data.
 */
export const CHARTS_SCRIPT = String.raw`
var CHART_WIDTH = 1100;
var GUTTER = 170;

function timeAxis(group, x, endUs, y, height) {
  var ticks = 6;
  for (var index = 0; index <= ticks; index++) {
    var offset = endUs * index / ticks;
    var at = x(offset);
    group.appendChild(s('line', { class: 'grid-line', x1: at, x2: at, y1: 0, y2: y }));
    group.appendChild(s('text', { class: 'axis', x: at, y: y + 14, 'text-anchor': index === 0 ? 'start' : index === ticks ? 'end' : 'middle' }, clockAt(offset).slice(0, 12)));
  }
  group.appendChild(s('line', { class: 'axis-line', x1: GUTTER, x2: CHART_WIDTH - 10, y1: y, y2: y }));
  return height;
}

function timelineSection() {
  var t = DATA.timeline;
  if (DATA.summary.sipMessages === 0) return section('timeline', 'Timeline', h('p', null, 'No SIP message in the capture (or in the --since/--until window): no timeline.'));
  var plotRight = CHART_WIDTH - 10;
  var x = function (offsetUs) { return GUTTER + (plotRight - GUTTER) * Math.max(0, Math.min(offsetUs, t.endUs)) / t.endUs; };
  var binX = function (bin) { return x(bin * t.binUs); };
  var binWidth = Math.max(1, (plotRight - GUTTER) * t.binUs / t.endUs);
  var activeTop = 24, activeHeight = 120;
  var damagedTop = activeTop + activeHeight + 18;
  var damagedRow = t.damaged.length === 0 ? 0 : Math.max(2, Math.min(8, 80 / t.damaged.length));
  var damagedHeight = t.damaged.length === 0 ? 0 : damagedRow * t.damaged.length + 16;
  var laneTop = damagedTop + damagedHeight + 10;
  var laneHeight = 24;
  var axisY = laneTop + t.lanes.length * laneHeight + 6;
  var height = axisY + 24;
  var svg = s('svg', { id: 'timeline-chart', class: 'chart', viewBox: '0 0 ' + CHART_WIDTH + ' ' + height, role: 'img', 'aria-label': 'timeline' });
  var maxActive = Math.max(1, Math.max.apply(null, t.active));
  var y = function (count) { return activeTop + activeHeight - activeHeight * count / maxActive; };
  var drain = t.drainWindowMs === null ? 0 : t.drainWindowMs * 1000;
  t.lanes.forEach(function (lane) {
    if (lane.revokedUs === undefined || drain <= 0) return;
    var from = x(lane.revokedUs - drain), to = x(lane.revokedUs);
    svg.appendChild(s('rect', { class: 'drain', x: from, y: activeTop - 14, width: Math.max(1, to - from), height: axisY - activeTop + 14 }, s('title', null, 'drain window (p99 call duration, ' + durationText(t.drainWindowMs) + ') before the revocation of ' + lane.username)));
    svg.appendChild(s('text', { class: 'drain-label', x: from + 3, y: activeTop - 4 }, 'drain window p99 ' + durationText(t.drainWindowMs)));
  });
  var path = 'M' + GUTTER + ' ' + y(0);
  t.active.forEach(function (count, bin) { path += ' L' + binX(bin).toFixed(1) + ' ' + y(count).toFixed(1) + ' L' + (binX(bin) + binWidth).toFixed(1) + ' ' + y(count).toFixed(1); });
  path += ' L' + (binX(t.active.length - 1) + binWidth).toFixed(1) + ' ' + y(0) + ' Z';
  svg.appendChild(s('path', { class: 'active-area', d: path }));
  svg.appendChild(s('text', { class: 'lane-label', x: GUTTER - 8, y: activeTop + 10, 'text-anchor': 'end' }, 'calls in progress'));
  svg.appendChild(s('text', { class: 'axis', x: GUTTER - 8, y: activeTop + 26, 'text-anchor': 'end' }, 'max ' + numberText(maxActive)));
  if (t.damaged.length > 0) {
    svg.appendChild(s('text', { class: 'lane-label', x: GUTTER - 8, y: damagedTop + 10, 'text-anchor': 'end' }, 'damaged calls'));
    t.damaged.forEach(function (call, index) {
      var top = damagedTop + index * damagedRow;
      var end = call.endUs === null ? t.endUs : call.endUs;
      var bar = s('g', { class: 'damaged-call', 'data-call-id': call.callId }, [
        s('title', null, call.callId + ' (' + call.username + ')'),
        s('rect', { class: 'damaged-bar', x: x(call.startUs), y: top, width: Math.max(2, x(end) - x(call.startUs)), height: Math.max(1, damagedRow - 1) }),
      ]);
      if (call.forbiddenUs !== null) bar.appendChild(s('rect', { class: 'forbidden-mark', x: x(call.forbiddenUs) - 1, y: top - 1, width: 3, height: damagedRow + 1 }));
      bar.addEventListener('click', function () { openCall(call.callId); });
      svg.appendChild(bar);
    });
    if (t.damagedLeftOut > 0) svg.appendChild(s('text', { class: 'axis', x: GUTTER - 8, y: damagedTop + 24, 'text-anchor': 'end' }, '+' + numberText(t.damagedLeftOut) + ' more'));
  }
  t.lanes.forEach(function (lane, index) {
    var top = laneTop + index * laneHeight;
    var middle = top + laneHeight / 2;
    var group = s('g', { class: 'lane', 'data-username': lane.username });
    group.appendChild(s('line', { class: 'lane-line', x1: GUTTER, x2: plotRight, y1: middle, y2: middle }));
    group.appendChild(s('text', { class: 'lane-label', x: GUTTER - 8, y: middle + 4, 'text-anchor': 'end' }, [truncated(lane.username, 22), s('title', null, lane.username + ': ' + lane.registrationCount + ' registrations, ' + lane.forbiddenCount + ' \u00d7 403')]));
    lane.registrations.forEach(function (entry) {
      group.appendChild(s('rect', { class: 'registration', x: binX(entry[0]), y: top + 4, width: Math.max(2, binWidth), height: laneHeight / 2 - 4 }, s('title', null, entry[1] + ' registered')));
    });
    lane.forbidden.forEach(function (entry) {
      group.appendChild(s('rect', { class: 'forbidden', x: binX(entry[0]), y: middle, width: Math.max(3, binWidth), height: laneHeight / 2 - 2 }, s('title', null, entry[1] + ' \u00d7 403')));
    });
    if (lane.revokedUs !== undefined) {
      svg.appendChild(s('line', { class: 'revocation', x1: x(lane.revokedUs), x2: x(lane.revokedUs), y1: activeTop - 14, y2: top + laneHeight }));
      group.appendChild(s('text', { class: 'revocation-label', x: x(lane.revokedUs) + 4, y: top + 10 }, 'revoked ' + clockAt(lane.revokedUs)));
    }
    svg.appendChild(group);
  });
  timeAxis(svg, x, t.endUs, axisY, height);
  var notes = [];
  if (t.lanesLeftOut > 0) notes.push(numberText(t.lanesLeftOut) + ' more credentials not drawn');
  return section('timeline', 'Timeline', [
    h('div', { class: 'chart-box' }, svg),
    h('p', { class: 'legend' }, [
      h('span', { class: 'key key-active' }), ' calls in progress' + ofUser() + ' ',
      h('span', { class: 'key key-registration' }), ' registrations (2xx to REGISTER) ',
      h('span', { class: 'key key-forbidden' }), ' 403 responses ',
      h('span', { class: 'key key-revocation' }), ' revocation (first 403 after a success) ',
      h('span', { class: 'key key-drain' }), ' drain window (p99 duration of the calls' + ofUser() + ') ending at the revocation ',
      h('span', { class: 'key key-damaged' }), ' damaged calls (click to open) ',
      notes.join('; '),
    ]),
  ]);
}

function histogramSection() {
  var hist = DATA.histogram, d = DATA.durations;
  if (hist.counts.length === 0) return section('durations', 'Call durations', h('p', null, 'No call' + ofUser() + ' ended with a BYE in the capture: no durations.'));
  var marks = [['p50', d.p50Ms], ['p95', d.p95Ms], ['p99', d.p99Ms], ['max', d.maxMs]].filter(function (mark) { return mark[1] !== undefined && mark[1] !== null; });
  var left = 70, right = CHART_WIDTH - 20, top = 16 + marks.length * 14, plotHeight = 180, axisY = top + plotHeight;
  var edges = hist.edgesMs, log = hist.scale === 'log';
  var low = edges[0], high = edges[edges.length - 1];
  var x = function (ms) {
    var share = log ? Math.log(Math.max(ms, low) / low) / Math.log(high / low) : ms / high;
    return left + (right - left) * Math.max(0, Math.min(1, share));
  };
  var maxCount = Math.max.apply(null, hist.counts);
  var svg = s('svg', { id: 'duration-chart', class: 'chart', viewBox: '0 0 ' + CHART_WIDTH + ' ' + (axisY + 34), role: 'img', 'aria-label': 'call durations' });
  hist.counts.forEach(function (count, bin) {
    if (count === 0) return;
    // a bin's height is at least 1 px, so a single call in the tail stays visible
    var barHeight = Math.max(1, plotHeight * count / maxCount);
    svg.appendChild(s('rect', { class: 'bar', x: x(edges[bin]) + 0.5, y: axisY - barHeight, width: Math.max(1, x(edges[bin + 1]) - x(edges[bin]) - 1), height: barHeight }, s('title', null, durationText(edges[bin]) + ' \u2013 ' + durationText(edges[bin + 1]) + ': ' + numberText(count) + ' calls')));
  });
  marks.forEach(function (mark, index) {
    var at = x(mark[1]);
    var labelY = 12 + index * 14;
    svg.appendChild(s('line', { class: 'percentile pct-' + mark[0], x1: at, x2: at, y1: labelY + 2, y2: axisY }));
    svg.appendChild(s('text', { class: 'percentile-label', x: at > right - 160 ? at - 4 : at + 4, y: labelY, 'text-anchor': at > right - 160 ? 'end' : 'start' }, mark[0] + ' ' + durationText(mark[1])));
  });
  for (var tick = 0; tick <= 5; tick++) {
    var ms = log ? low * Math.pow(high / low, tick / 5) : high * tick / 5;
    svg.appendChild(s('text', { class: 'axis', x: x(ms), y: axisY + 14, 'text-anchor': tick === 0 ? 'start' : tick === 5 ? 'end' : 'middle' }, durationText(ms)));
  }
  svg.appendChild(s('text', { class: 'axis', x: left - 6, y: top + 8, 'text-anchor': 'end' }, numberText(maxCount)));
  svg.appendChild(s('line', { class: 'axis-line', x1: left, x2: right, y1: axisY, y2: axisY }));
  return section('durations', 'Call durations', [
    h('div', { class: 'chart-box' }, svg),
    h('p', { class: 'legend' }, numberText(d.count) + ' answered calls' + ofUser() + ' ended by BYE; ' + (log ? 'logarithmic time scale (the longest call is over 20 times the median); ' : '') + 'nearest-rank percentiles. Drain window (p99): ' + durationText(d.drainWindowMs) + '.'),
  ]);
}
`;
