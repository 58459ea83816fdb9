/**
 * The page's Content-Security-Policy (CSP Level 3): nothing may load or run but the report's own inline script and
 * style, each allowed by its SHA-256 hash. Anything a capture smuggled into the DOM as markup could not run, load an
 * image or send data anywhere; no inline event handler runs (hashes do not allow them without 'unsafe-hashes').
 */
import { createHash } from 'node:crypto';

/** `'sha256-...'` source expression of an inline script or style element's exact text (CSP3 §8.4). */
export function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function contentSecurityPolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${hashSource(script)}`,
    `style-src ${hashSource(style)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
