/**
 * The one gate for text from the outside world (captures, message files, a server's responses) on its way to a
 * terminal. Every character that a terminal may act on instead of showing is written as an escape:
 * - C0 controls U+0000-U+001F (ESC, BEL, BS, CR, LF, TAB: move the cursor, retitle, clear, break a column) and DEL,
 *   as \xNN;
 * - C1 controls U+0080-U+009F (U+009B is a one-character CSI on many terminals), as \xNN;
 * - bidirectional formatting characters, which reorder what is shown (Unicode UAX #9, "Trojan Source",
 *   CVE-2021-42574): U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, as \uNNNN.
 * JSON output needs none of this: JSON.stringify escapes C0 itself and the other characters are data there.
 */
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNPRINTABLE_TEST = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? '\\x' + code.toString(16).padStart(2, '0') : '\\u' + code.toString(16).padStart(4, '0');
}

/** `text` with every control and bidi formatting character escaped (see above); undefined prints as 'undefined'. */
export function printable(text: string | number | undefined): string {
  const value = String(text);
  return UNPRINTABLE_TEST.test(value) ? value.replace(UNPRINTABLE, escapeOne) : value;
}

/** Several lines of outside text (a SIP message for -v): each line made printable, line breaks kept. */
export function printableLines(text: string): string {
  return text.split(/\r?\n/).map(printable).join('\n');
}
