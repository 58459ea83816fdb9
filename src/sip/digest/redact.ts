/**
 * Hide secrets in printed SIP text (for `-v` output and logs): in Authorization and Proxy-Authorization header
 * fields (RFC 3261 §20.7, §20.28), including folded continuation lines (§7.3.1), the `response` value and any
 * password-like parameter become "<redacted>", and a Basic/Bearer credential (token68) too; anywhere in the text, the
 * password part of a `sip:user:password@host` URI (RFC 3261 §19.1.1, deprecated but still seen) is redacted.
 * Usernames, realms, nonces and URIs stay visible: they are needed to debug and are not secrets.
 */
export const REDACTED = '<redacted>';

// Anywhere on the line, so that prefixed output ("> Authorization: ...", "12:00:01 Authorization: ...") is covered too.
const AUTH_HEADER_START = /(?:^|[^\w-])(?:proxy-)?authorization[ \t]*:/i;
const SECRET_PARAM = /\b(response|password|passwd|pwd|secret|ha1)(\s*=\s*)("(?:[^"\\]|\\.)*"?|[^\s,]+)/gi;
const TOKEN68_CREDENTIAL = /^(.*?(?:^|[^\w-])(?:proxy-)?authorization[ \t]*:[ \t]*(?!digest\b)[A-Za-z][\w.-]*[ \t]+)([A-Za-z0-9\-._~+/]+=*)([ \t]*(?:\r?\n|$))/i;
const URI_PASSWORD = /\b(sips?:[^:@\s;>"<,]+):([^@\s;>"<,]+)@/gi;

function redactHeaderField(field: string): string {
  return field
    .replace(TOKEN68_CREDENTIAL, (_match, head: string, _token: string, tail: string) => `${head}${REDACTED}${tail}`)
    .replace(SECRET_PARAM, (_match, name: string, equals: string) => `${name}${equals}"${REDACTED}"`);
}

/**
 * `text` (SIP message text, as printed) with credentials replaced by "<redacted>"; line endings and everything else
 * are kept. Not meant for JSON-escaped text: redact the message before it is put into JSON.
 */
export function redactCredentials(text: string): string {
  const lines = text.split(/(?<=\n)/);
  const output: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (!AUTH_HEADER_START.test(line)) {
      output.push(line);
      continue;
    }
    let field = line;
    while (index + 1 < lines.length && /^[ \t]+\S/.test(lines[index + 1]!)) field += lines[++index]!;
    output.push(redactHeaderField(field));
  }
  return output.join('').replace(URI_PASSWORD, (_match, userPart: string) => `${userPart}:${REDACTED}@`);
}
