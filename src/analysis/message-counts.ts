/**
 * The summary's counts of SIP messages: requests by method, responses by status code (docs/analyze-json.md,
 * `summary.requests` / `summary.responses`), counted for every usable message and listed in key order at the end.
 */

/** Status codes of RFC 3261 §7.2 / §21 (three digits, 100 to 699): counted in an array slot each. */
const FIRST_STATUS = 100;
const LAST_STATUS = 699;

export class MessageCounts {
  private readonly requests: Record<string, number> = {};
  /**
   * Responses by status: a slot per code of 100-699 (a number indexes it: no text made per response), a map for the
   * codes a damaged status line may carry beyond them.
   */
  private readonly responsesByStatus = new Float64Array(LAST_STATUS - FIRST_STATUS + 1);
  private readonly otherResponses = new Map<number, number>();

  add(message: { kind: 'request'; method: string } | { kind: 'response'; status: number }): void {
    if (message.kind === 'request') {
      this.requests[message.method] = (this.requests[message.method] ?? 0) + 1;
      return;
    }
    const status = message.status;
    if (Number.isInteger(status) && status >= FIRST_STATUS && status <= LAST_STATUS) this.responsesByStatus[status - FIRST_STATUS]++;
    else this.otherResponses.set(status, (this.otherResponses.get(status) ?? 0) + 1);
  }

  /** Requests by method, in key order. */
  requestsByMethod(): Record<string, number> {
    return sortedRecord(this.requests);
  }

  /** Responses by status code (as text), in key order. */
  responsesByCode(): Record<string, number> {
    const record: Record<string, number> = {};
    this.responsesByStatus.forEach((count, index) => {
      if (count > 0) record[String(index + FIRST_STATUS)] = count;
    });
    for (const [status, count] of this.otherResponses) record[String(status)] = (record[String(status)] ?? 0) + count;
    return sortedRecord(record);
  }
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
