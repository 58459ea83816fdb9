/**
 * JSON for a `<script type="application/json">` data block. The HTML tokenizer ends a script element at the first
 * `</script` whatever the type (HTML Living Standard §13.2.5.4, script data state), and `<!--` changes how it
 * finds it; so every `<`, `>` and `&` is written as a \u escape, which JSON.parse reads back to the same string.
 * U+2028/U+2029 are escaped too (valid in JSON, line terminators in older JavaScript).
 */
const UNSAFE = /[<>&\u2028\u2029]/g;

export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
