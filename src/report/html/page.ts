/**
 * `sipscope report`: one self-contained HTML page (no external script, style, font or image). Capture data is
 * carried only in JSON data blocks, escaped so it cannot end its element (script-json.ts), and the page's own
 * script builds the DOM from it with text nodes. A Content-Security-Policy allows that one script and style by hash.
 */
import { CHARTS_SCRIPT } from './browser/charts.js';
import { DOM_SCRIPT } from './browser/dom.js';
import { LADDER_SCRIPT } from './browser/ladder.js';
import { MAIN_SCRIPT } from './browser/main.js';
import { SUMMARY_SCRIPT } from './browser/summary.js';
import { TABLES_SCRIPT } from './browser/tables.js';
import { contentSecurityPolicy } from './csp.js';
import type { HtmlReportInput } from './model.js';
import { detailBlocks } from './detail-blocks.js';
import { reportData } from './report-data.js';
import { scriptSafeJson } from './script-json.js';
import { REPORT_STYLE } from './style.js';

/** The page's script: the browser parts in one strict-mode function scope. */
export const REPORT_SCRIPT = `(function () {\n'use strict';\n${[DOM_SCRIPT, SUMMARY_SCRIPT, CHARTS_SCRIPT, TABLES_SCRIPT, LADDER_SCRIPT, MAIN_SCRIPT].join('\n')}\n})();\n`;

/** The page in chunks, to be written one after the other (a report of 100k calls is tens of MB). */
export function* htmlReportChunks(input: HtmlReportInput): Generator<string> {
  const data = reportData(input);
  yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n';
  yield `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(REPORT_SCRIPT, REPORT_STYLE)}">\n`;
  yield '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="referrer" content="no-referrer">\n';
  yield '<title>sipscope report</title>\n';
  yield `<style>${REPORT_STYLE}</style>\n</head>\n<body>\n`;
  yield '<header><h1>sipscope incident report</h1><p id="generated"></p></header>\n';
  yield '<main id="report"><noscript>This report draws itself with its own embedded script; allow scripts for this file.</noscript></main>\n';
  yield '<script type="application/json" id="report-data">';
  yield scriptSafeJson(data);
  yield '</script>\n<script type="application/octet-stream" id="report-details">\n';
  for (const block of detailBlocks(input.details, data.originUs)) yield `${block}\n`;
  yield `</script>\n<script>${REPORT_SCRIPT}</script>\n</body>\n</html>\n`;
}

/** The whole page as one string (tests, small reports). */
export function renderHtmlReport(input: HtmlReportInput): string {
  return [...htmlReportChunks(input)].join('');
}
