/** A count with its noun in the number that agrees with it, for every text output: "1 retransmission", "3 refreshes". */
export function countOf(count: number, noun: string): string {
  if (count === 1) return `${count} ${noun}`;
  return `${count} ${noun}${/(?:s|sh|ch|x)$/.test(noun) ? 'es' : 's'}`;
}
