/**
 * Text an attacker puts into a capture, a message file or a server's response to drive the terminal of whoever
 * reads sipscope's output: C0 controls (ESC sequences that clear the screen, set the window title, move the
 * cursor; BEL, BS, CR), DEL, C1 controls (U+009B is a one-character CSI) and bidi formatting characters
 * (U+202E reverses what follows, "Trojan Source").
 */
export const HOSTILE_PIECES = [
  '\x1b[2J', // clear screen
  '\x1b]0;pwned\x07', // window title
  '\x1b[1A\x1b[2K', // cursor up, erase line
  '\x08\x08\x08', // backspaces hide what came before
  '\r', // back to column 0
  '\x7f',
  '\u009b31m', // C1 CSI
  '\u0085', // C1 NEL
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u200f', // right-to-left mark
  '\u061c', // arabic letter mark
  '\t',
];

/** Every character printable() must escape, as a regular expression that finds any of them in output. */
export const UNSAFE_IN_OUTPUT = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Output lines with their separators removed: nothing unsafe may remain (LF ends lines; TAB separates decode's columns). */
export function unsafeCharsIn(output: string, allowTab = false): string[] {
  const found: string[] = [];
  for (const char of output) {
    const code = char.codePointAt(0)!;
    if (char === '\n' || (allowTab && char === '\t')) continue;
    if (UNSAFE_IN_OUTPUT.test(char) || (code === 0x09 && !allowTab)) found.push(`U+${code.toString(16).padStart(4, '0')}`);
  }
  return found;
}

/** One hostile string with every piece, wrapped in printable text. */
export const HOSTILE = `m${HOSTILE_PIECES.join('x')}z`;
