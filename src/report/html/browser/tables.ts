/**
 * Browser part of the report: sortable, filterable, paged tables of findings, calls and revocations. Only one page
 * of rows is in the DOM at a time, so 100k calls stay responsive.
 */
export const TABLES_SCRIPT = String.raw`
var PAGE_SIZE = 200;

function callLink(callId) {
  if (!callId) return '\u2013';
  var link = h('a', { href: '#ladders', class: 'call-link', 'data-call-id': callId }, callId);
  link.addEventListener('click', function (event) { event.preventDefault(); openCall(callId); });
  return link;
}

/**
 * columns: [{ title, value(row) for sorting, cell(row) -> node or text, className }]; matches(row) filters.
 * Returns { element, refresh() }.
 */
function pagedTable(id, columns, rows, matches, initialSort) {
  var sortColumn = initialSort, descending = false, page = 0, shown = rows;
  var body = h('tbody');
  var status = h('span', { class: 'table-status', id: id + '-status' });
  var previous = h('button', { type: 'button' }, '\u2190 previous');
  var next = h('button', { type: 'button' }, 'next \u2192');
  var headers = columns.map(function (column, index) {
    var button = h('button', { type: 'button', class: 'sort' }, column.title);
    button.addEventListener('click', function () {
      descending = sortColumn === index ? !descending : false;
      sortColumn = index;
      page = 0;
      refresh();
    });
    return h('th', { scope: 'col', 'aria-sort': 'none' }, button);
  });
  function refresh() {
    shown = rows.filter(matches);
    if (sortColumn !== null) {
      var value = columns[sortColumn].value;
      var direction = descending ? -1 : 1;
      shown = shown.map(function (row, index) { return [value(row), index, row]; })
        .sort(function (a, b) { return (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]) * (a[0] === b[0] ? 1 : direction); })
        .map(function (entry) { return entry[2]; });
    }
    headers.forEach(function (th, index) { th.setAttribute('aria-sort', index === sortColumn ? (descending ? 'descending' : 'ascending') : 'none'); });
    var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    var first = page * PAGE_SIZE;
    var fragment = document.createDocumentFragment();
    shown.slice(first, first + PAGE_SIZE).forEach(function (row) {
      fragment.appendChild(h('tr', null, columns.map(function (column) { return h('td', { class: column.className }, column.cell(row)); })));
    });
    body.replaceChildren(fragment);
    status.textContent = shown.length === 0 ? 'no rows' : 'rows ' + numberText(first + 1) + '\u2013' + numberText(Math.min(shown.length, first + PAGE_SIZE)) + ' of ' + numberText(shown.length) + (shown.length !== rows.length ? ' (filtered from ' + numberText(rows.length) + ')' : '');
    status.setAttribute('data-count', String(shown.length));
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  previous.addEventListener('click', function () { page--; refresh(); });
  next.addEventListener('click', function () { page++; refresh(); });
  var table = h('table', { class: 'grid data', id: id }, [h('thead', null, h('tr', null, headers)), body]);
  refresh();
  return { element: h('div', { class: 'paged' }, [h('div', { class: 'table-box' }, table), h('div', { class: 'pager' }, [previous, ' ', status, ' ', next])]), refresh: refresh };
}

function selectBox(label, id, values) {
  var select = h('select', { id: id }, [h('option', { value: '' }, 'all')].concat(values.map(function (value) { return h('option', null, value); })));
  return { select: select, element: h('label', null, [label + ' ', select]) };
}

function findingsSection() {
  var text = h('input', { type: 'search', id: 'findings-filter', placeholder: 'filter: text in any column', size: 40 });
  var severity = selectBox('severity', 'findings-severity', ['error', 'warning', 'info']);
  var kind = selectBox('kind', 'findings-kind', DATA.findingKinds.map(function (entry) { return entry[0]; }));
  var matches = function (row) {
    if (severity.select.value && row[0] !== severity.select.value) return false;
    if (kind.select.value && row[1] !== kind.select.value) return false;
    var wanted = text.value.trim().toLowerCase();
    return !wanted || (row[1] + ' ' + row[3] + ' ' + row[4] + ' ' + row[6] + ' ' + isoAt(row[2])).toLowerCase().indexOf(wanted) >= 0;
  };
  var severityRank = { error: 0, warning: 1, info: 2 };
  var table = pagedTable('findings-table', [
    { title: 'severity', value: function (row) { return severityRank[row[0]]; }, cell: function (row) { return severityBadge(row[0]); } },
    { title: 'kind', value: function (row) { return row[1]; }, cell: function (row) { return row[1]; } },
    { title: 'time', value: function (row) { return row[2]; }, cell: function (row) { return isoAt(row[2]); }, className: 'time' },
    { title: 'user', value: function (row) { return row[4]; }, cell: function (row) { return row[4] || '\u2013'; } },
    { title: 'call', value: function (row) { return row[3]; }, cell: function (row) { return callLink(row[3]); }, className: 'call-id' },
    { title: 'packets', value: function (row) { return row[5][0] || 0; }, cell: function (row) { return row[5].join(', '); }, className: 'packets' },
    { title: 'what', value: function (row) { return row[6]; }, cell: function (row) { return row[6]; }, className: 'message' },
  ], DATA.findings, matches, null);
  var refresh = debounced(table.refresh, 120);
  text.addEventListener('input', refresh);
  severity.select.addEventListener('change', table.refresh);
  kind.select.addEventListener('change', table.refresh);
  return section('findings', 'Findings', [
    h('p', null, [h('strong', { id: 'findings-total', 'data-count': String(DATA.findings.length) }, numberText(DATA.findings.length)), ' findings. Click a column to sort, a Call-ID to see its ladder.']),
    h('div', { class: 'controls' }, [text, severity.element, kind.element]),
    table.element,
  ]);
}

function callsSection() {
  var text = h('input', { type: 'search', id: 'calls-filter', placeholder: 'filter: Call-ID, From, To, user', size: 40 });
  var state = selectBox('state', 'calls-state', DATA.states.map(function (entry) { return entry[0]; }));
  var matches = function (row) {
    if (state.select.value && row[6] !== state.select.value) return false;
    var wanted = text.value.trim().toLowerCase();
    return !wanted || (row[0] + ' ' + row[1] + ' ' + row[2] + ' ' + row[3]).toLowerCase().indexOf(wanted) >= 0;
  };
  var table = pagedTable('calls-table', [
    { title: 'start', value: function (row) { return row[4]; }, cell: function (row) { return isoAt(row[4]); }, className: 'time' },
    { title: 'Call-ID', value: function (row) { return row[0]; }, cell: function (row) { return row[9] ? callLink(row[0]) : h('span', { title: 'no message detail embedded (--max-calls)' }, row[0]); }, className: 'call-id' },
    { title: 'from', value: function (row) { return row[1]; }, cell: function (row) { return row[1]; } },
    { title: 'to', value: function (row) { return row[2]; }, cell: function (row) { return row[2]; } },
    { title: 'user', value: function (row) { return row[3]; }, cell: function (row) { return row[3] || '\u2013'; } },
    { title: 'state', value: function (row) { return row[6]; }, cell: function (row) { return h('span', { class: 'state state-' + row[6] }, row[6]); } },
    { title: 'duration', value: function (row) { return row[5] === null ? -1 : row[5]; }, cell: function (row) { return callDurationText(row); }, className: 'num' },
    { title: 're-INVITEs', value: function (row) { return row[7]; }, cell: function (row) { return String(row[7]); }, className: 'num' },
    { title: 'findings', value: function (row) { return row[8]; }, cell: function (row) { return row[8] ? String(row[8]) : ''; }, className: 'num' },
  ], DATA.calls, matches, null);
  text.addEventListener('input', debounced(table.refresh, 150));
  state.select.addEventListener('change', table.refresh);
  var note = DATA.callsWithoutDetail > 0 ? ' Message detail is embedded for calls with findings and the first --max-calls others; ' + numberText(DATA.callsWithoutDetail) + ' calls are listed here only.' : '';
  return section('calls', 'Calls', [
    h('p', null, numberText(DATA.calls.length) + ' calls.' + note),
    h('div', { class: 'controls' }, [text, state.element]),
    table.element,
  ]);
}

function revocationsSection() {
  if (DATA.revocations.length === 0) return section('revocations', 'Revocations', h('p', null, 'No credential was refused with 403 after it had succeeded.'));
  var rows = DATA.revocations.map(function (revocation) {
    return h('tr', { class: 'revocation-row', 'data-username': revocation.username }, [
      h('td', null, revocation.username),
      h('td', { class: 'time' }, isoAt(revocation.lastSuccessUs)),
      h('td', { class: 'time' }, isoAt(revocation.firstForbiddenUs)),
      h('td', { class: 'num' }, String(revocation.activeCalls.length)),
      h('td', { class: 'damaged-list' }, revocation.damagedCalls.length === 0 ? 'none' : h('ul', null, revocation.damagedCalls.map(function (callId) {
        return h('li', { class: 'damaged', 'data-damaged-call': callId }, callLink(callId));
      }))),
      h('td', { class: 'num' }, (revocation.damagedWindowAtLeast ? '\u2265 ' : '') + durationText(revocation.damagedWindowMs)),
    ]);
  });
  return section('revocations', 'Revocations', h('table', { class: 'grid', id: 'revocations-table' }, [
    h('thead', null, h('tr', null, ['credential', 'last success', 'first 403 (revoked)', 'calls up then', 'damaged calls', 'drain that would have saved them'].map(function (title) { return h('th', null, title); }))),
    h('tbody', null, rows),
  ]));
}
`;
