/** Browser part of the report: reads the data block and builds the page, then marks it ready (for tests and the bench). */
export const MAIN_SCRIPT = String.raw`
var DATA = JSON.parse(document.getElementById('report-data').textContent);
document.title = 'sipscope report: ' + DATA.files.join(' ');
var root = document.getElementById('report');
root.replaceChildren(
  h('nav', null, [['summary', 'Summary'], ['timeline', 'Timeline'], ['durations', 'Durations'], ['revocations', 'Revocations'], ['findings', 'Findings'], ['calls', 'Calls'], ['ladders', 'Ladders']].map(function (entry) {
    return h('a', { href: '#' + entry[0] }, entry[1]);
  })),
  summarySection(),
  timelineSection(),
  histogramSection(),
  revocationsSection(),
  findingsSection(),
  callsSection(),
  laddersSection()
);
document.getElementById('generated').textContent = DATA.generator;
document.documentElement.setAttribute('data-ready-ms', String(Math.round(performance.now())));
`;
