/**
 * Browser part of the report (runs in the page, inside the script the page's CSP allows by hash): DOM building and
 * formatting helpers. Capture text only ever reaches the DOM through text nodes (createTextNode, textContent) and
 * setAttribute on inert attributes (class, data-*, aria-*); never innerHTML, never an event-handler attribute.
 * Plain ES2020 in a string (this project's TypeScript targets Node, not the DOM); the browser tests run it in
 * Chromium.
 */
export const DOM_SCRIPT = String.raw`
var SVG_NS = 'http://www.w3.org/2000/svg';

function setAttributes(node, attributes) {
  if (!attributes) return node;
  Object.keys(attributes).forEach(function (name) {
    var value = attributes[name];
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
  });
  return node;
}

function appendChildren(node, children) {
  if (children === undefined || children === null) return node;
  if (!Array.isArray(children)) children = [children];
  children.forEach(function (child) {
    if (child === undefined || child === null || child === false) return;
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  });
  return node;
}

/** An HTML element; strings among the children become text nodes. */
function h(tag, attributes, children) {
  return appendChildren(setAttributes(document.createElement(tag), attributes), children);
}

/** An SVG element; strings among the children become text nodes. */
function s(tag, attributes, children) {
  return appendChildren(setAttributes(document.createElementNS(SVG_NS, tag), attributes), children);
}

function pad(value, width) {
  var text = String(value);
  while (text.length < width) text = '0' + text;
  return text;
}

/** ISO 8601 UTC with microseconds of a time given as µs offset from the first message. */
function isoAt(offsetUs) {
  var us = DATA.originUs + offsetUs;
  var ms = Math.floor(us / 1000);
  var rest = Math.round(us - ms * 1000);
  if (rest === 1000) { ms += 1; rest = 0; }
  return new Date(ms).toISOString().slice(0, 23) + pad(rest, 3) + 'Z';
}

/** HH:MM:SS.uuuuuu of an offset. */
function clockAt(offsetUs) {
  return isoAt(offsetUs).slice(11, 26);
}

function durationText(ms) {
  if (ms === null || ms === undefined) return '\u2013';
  if (ms < 1000) return ms.toFixed(3) + ' ms';
  if (ms < 120000) return (ms / 1000).toFixed(3) + ' s';
  if (ms < 7200000) return (ms / 60000).toFixed(1) + ' min';
  return (ms / 3600000).toFixed(1) + ' h';
}

/** ' of user NAME' when the report is narrowed to one user (--user), else nothing. */
function ofUser() {
  return DATA.user === null ? '' : ' of user ' + DATA.user;
}

/** A calls row's duration; \u2265 when the call began before what was analysed (only the part seen is measured). */
function callDurationText(row) {
  return (row[10] && row[5] !== null ? '\u2265 ' : '') + durationText(row[5]);
}

function numberText(value) {
  return Number(value).toLocaleString('en-US');
}

function truncated(text, max) {
  return text.length <= max ? text : text.slice(0, max - 1) + '\u2026';
}

/** Runs a function at most once per animation frame burst of input (typing in a filter box). */
function debounced(run, ms) {
  var timer = 0;
  return function () {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
}

function section(id, title, children) {
  return h('section', { id: id }, [h('h2', null, title)].concat(children));
}
`;
