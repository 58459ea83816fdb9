/** Reads a written report back in Node: its data block and its (gzipped, base64) message detail. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ReportData } from '../../../src/report/html/report-data.js';
import type { DetailRow } from '../../../src/report/html/detail-rows.js';

export function reportDataOf(file: string): ReportData {
  const html = readFileSync(file, 'utf8');
  return JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)![1]) as ReportData;
}

export function reportDetailsOf(file: string): DetailRow[] {
  const html = readFileSync(file, 'utf8');
  const blocks = /<script type="application\/octet-stream" id="report-details">([^<]*)<\/script>/.exec(html)![1].split('\n').filter(Boolean);
  return blocks.flatMap((block) => JSON.parse(gunzipSync(Buffer.from(block, 'base64')).toString('utf8')) as DetailRow[]);
}

/** Every embedded message text of a report. */
export function reportMessageTexts(file: string): string[] {
  return reportDetailsOf(file).flatMap((row) => row[2].map((message) => message[9]));
}
