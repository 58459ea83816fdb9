/**
 * The named questions of `sipscope query`, as SQL over the dataset views. They answer what `analyze` answers for
 * the same captures read as one, across every host of the dataset:
 *
 * - A Call-ID seen on several hosts (a call through an SBC and a proxy) is one call, as in analyze: its start,
 *   answer, end and first refused re-INVITE are the earliest over the hosts (`calls_one`).
 * - A final response is attributed as analyze attributes it (analysis/analyzer.ts outcomeOf): the credential the
 *   request carried, else the call's owner, else a REGISTER's To user or the From user.
 * - Revocation (analysis/timeline.ts): per username, the first refusal (403) that a refused REGISTER or a refused
 *   request inside a dialog confirms after the first success (2xx to a request that carried the credential); the
 *   last success before it; and the first 403 after that last success. Active and damaged calls as analyze
 *   defines them.
 * - Durations (analysis/stats.ts): answered calls that ended with BYE, whose INVITE was captured; nearest-rank
 *   percentiles d[ceil(p/100 n)], never interpolated; the drain window is p99.
 *
 * `--since`/`--until` keep rows whose time (a call's start) is inside the window; `--user` keeps one username.
 */
import { sqlString } from '../staging.js';

export interface QuestionFilter {
  user?: string;
  /** ISO 8601 times. */
  since?: string;
  until?: string;
}

function window(column: string, filter: QuestionFilter): string {
  const parts = ['true'];
  if (filter.since !== undefined) parts.push(`${column} >= ${sqlString(filter.since)}::TIMESTAMPTZ`);
  if (filter.until !== undefined) parts.push(`${column} <= ${sqlString(filter.until)}::TIMESTAMPTZ`);
  return parts.join(' AND ');
}

function userIs(column: string, filter: QuestionFilter): string {
  return filter.user === undefined ? 'true' : `${column} = ${sqlString(filter.user)}`;
}

/** One row per Call-ID over all hosts (of the calls that `where` keeps). */
function callsOne(filter: QuestionFilter, where = 'true'): string {
  return `calls_one AS (
    SELECT call_id,
      arg_min(owner, start_time) AS owner, arg_min(username, start_time) AS username,
      min(start_time) AS start_time, min(answer_time) AS answer_time, min(end_time) AS end_time,
      min(forbidden_time) AS forbidden_time, bool_and(started_before_capture) AS started_before_capture,
      bool_or(state IN ('ended', 'torn-down')) AS completed, arg_min(state, start_time) AS state,
      arg_min(ended_by, start_time) AS ended_by,
      CASE WHEN count(*) = 1 THEN any_value(duration_ms)
           ELSE (epoch_us(min(end_time)) - epoch_us(min(start_time))) / 1000.0 END AS duration_ms,
      list_sort(list(DISTINCT host)) AS hosts
    FROM calls WHERE ${window('start_time', filter)} AND ${where} GROUP BY call_id)`;
}

/**
 * Revocation timeline. Built from the few rows that can matter, so that it stays fast over many hosts: the 403s
 * first (rare), the usernames a confirming 403 names, then only those users' successes and the calls that were
 * up at, or damaged after, their revocation. Min and max over rows need no dedupe across hosts: the same response
 * seen on two hosts moves neither.
 */
export function revocationsSql(filter: QuestionFilter): string {
  return `WITH
  judged AS MATERIALIZED (
    SELECT time, host, call_id, method, status, auth_user, in_dialog, from_user, to_user FROM outcomes
    WHERE (status = 403 OR (status BETWEEN 200 AND 299 AND auth_user IS NOT NULL)) AND ${window('time', filter)}),
  refusal_calls AS (
    SELECT call_id, arg_min(owner, start_time) AS owner FROM calls
    WHERE call_id IN (SELECT call_id FROM judged WHERE status = 403 AND auth_user IS NULL) GROUP BY call_id),
  refusals AS (
    SELECT o.time, o.host, o.method = 'REGISTER' OR o.in_dialog AS confirming,
      coalesce(o.auth_user, CASE WHEN c.call_id IS NOT NULL THEN c.owner WHEN o.method = 'REGISTER' THEN o.to_user ELSE o.from_user END) AS username
    FROM judged o LEFT JOIN refusal_calls c USING (call_id)
    WHERE o.status = 403),
  candidates AS (SELECT DISTINCT username FROM refusals WHERE confirming AND username IS NOT NULL AND ${userIs('username', filter)}),
  successes AS (
    SELECT auth_user AS username, time, host FROM judged
    WHERE status BETWEEN 200 AND 299 AND auth_user IN (SELECT username FROM candidates)),
  first_success AS (SELECT username, min(time) AS time FROM successes GROUP BY username),
  confirmed AS (
    SELECT r.username, min(r.time) AS time FROM refusals r JOIN first_success f USING (username)
    WHERE r.confirming AND r.time > f.time GROUP BY r.username),
  last_success AS (
    SELECT c.username, c.time AS confirmed_time, max(s.time) AS time FROM confirmed c JOIN successes s
      ON s.username = c.username AND s.time < c.time GROUP BY c.username, c.time),
  revoked AS (
    SELECT l.username, l.time AS last_success, min(r.time) AS first_forbidden FROM last_success l JOIN refusals r
      ON r.username = l.username AND r.time > l.time AND r.time <= l.confirmed_time GROUP BY l.username, l.time),
  ${callsOne(filter, 'owner IN (SELECT username FROM revoked)')},
  hosts_of AS (
    SELECT username, list_sort(list(DISTINCT host)) AS hosts FROM (
      SELECT s.username, s.host FROM successes s JOIN revoked v ON s.username = v.username AND s.time <= v.first_forbidden
      UNION ALL SELECT r.username, r.host FROM refusals r JOIN revoked v USING (username)
      UNION ALL SELECT c.owner, unnest(c.hosts) FROM calls_one c JOIN revoked v ON c.owner = v.username AND c.forbidden_time >= v.first_forbidden)
    GROUP BY username)
  SELECT v.username, v.last_success, v.first_forbidden,
    coalesce(list(c.call_id ORDER BY c.start_time, c.call_id) FILTER (WHERE c.answer_time <= v.first_forbidden
      AND (c.end_time IS NULL OR c.end_time > v.first_forbidden)), []) AS active_calls,
    coalesce(list(c.call_id ORDER BY c.start_time, c.call_id) FILTER (WHERE c.forbidden_time >= v.first_forbidden), []) AS damaged_calls,
    count(c.call_id) FILTER (WHERE c.forbidden_time >= v.first_forbidden) AS calls_damaged,
    max(epoch_us(c.forbidden_time) - epoch_us(c.start_time)) FILTER (WHERE c.forbidden_time >= v.first_forbidden) / 1000.0 AS damaged_window_ms,
    any_value(h.hosts) AS hosts
  FROM revoked v LEFT JOIN calls_one c ON c.owner = v.username LEFT JOIN hosts_of h ON h.username = v.username
  GROUP BY v.username, v.last_success, v.first_forbidden
  ORDER BY v.first_forbidden, v.username`;
}

export function damagedCallsSql(filter: QuestionFilter): string {
  return `WITH ${callsOne(filter)}
  SELECT call_id, owner AS username, hosts, start_time, forbidden_time, end_time, state, ended_by,
    (epoch_us(forbidden_time) - epoch_us(start_time)) / 1000.0 AS start_to_403_ms
  FROM calls_one WHERE forbidden_time IS NOT NULL AND ${userIs('owner', filter)}
  ORDER BY forbidden_time, call_id`;
}

const PERCENTILE = (p: number) => `list_sort(list(duration_ms))[greatest(1, ceil(${p} / 100 * count(*)))::BIGINT]`;

/** Nearest-rank percentiles of complete calls; `byHost` gives one row per host (a call counted on each host it crossed). */
export function durationsSql(filter: QuestionFilter, byHost: boolean): string {
  const source = byHost
    ? `(SELECT *, host AS by_host, state IN ('ended', 'torn-down') AS completed FROM calls WHERE ${window('start_time', filter)})`
    : 'calls_one';
  const groupBy = byHost ? 'by_host' : undefined;
  return `WITH ${callsOne(filter)}
  SELECT ${groupBy ? 'by_host AS host, ' : ''}count(*) AS calls,
    ${PERCENTILE(50)} AS p50_ms, ${PERCENTILE(95)} AS p95_ms, ${PERCENTILE(99)} AS p99_ms,
    max(duration_ms) AS max_ms, ${PERCENTILE(99)} AS drain_window_ms
  FROM ${source}
  WHERE completed AND answer_time IS NOT NULL AND NOT started_before_capture AND duration_ms IS NOT NULL AND ${userIs('owner', filter)}
  ${groupBy ? `GROUP BY ${groupBy} ORDER BY ${groupBy}` : ''}`;
}

/** The calls of one user (or all), one row per Call-ID. */
export function callsSql(filter: QuestionFilter): string {
  return `WITH ${callsOne(filter)}
  SELECT call_id, owner AS username, hosts, start_time, answer_time, end_time, duration_ms, state, forbidden_time
  FROM calls_one WHERE ${userIs('owner', filter)} ORDER BY start_time, call_id`;
}
