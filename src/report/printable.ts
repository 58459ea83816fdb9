/**
 * Text from a capture or a message file shown on a terminal: control characters (NUL, BEL, ESC, CR, LF ...) become
 * \xNN, so a hostile or broken message cannot move the cursor, recolour, retitle or clear the user's terminal.
 * Tab stays (harmless). JSON output needs none of this: JSON.stringify escapes them itself.
 */
export function printable(text: string | number | undefined): string {
  return String(text).replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (ch) => '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0'));
}
