/**
 * sip.js as the browser-side peer of the token gateway, run in Node: its web Transport opens `new WebSocket(url,
 * 'sip')` as a browser would, here over the `ws` package (trusting the test CA, the one thing a browser would take
 * from its certificate store). A browser's WebSocket API shows no HTTP status of a refused upgrade, only a failed
 * connection; so what sip.js experiences is: connected or not, then REGISTER answered 200 or not.
 */
import { Registerer, RegistererState, UserAgent } from 'sip.js';
import WebSocket from 'ws';

export interface SipJsOutcome {
  connected: boolean;
  registered: boolean;
  /** Final status of the REGISTER when one came. */
  status?: number;
  detail: string;
}

function installWebSocket(ca: Buffer | undefined): void {
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca });
    }
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = BrowserLikeWebSocket;
}

/**
 * Connects to `server` (the token in its query, as browsers send it) and registers `aor`, answering a digest
 * challenge when `credentials` are given; bounded by `timeoutMs`.
 */
export async function sipJsRegister(server: string, aor: string, ca: Buffer | undefined, timeoutMs = 8000, credentials?: { username: string; password: string }): Promise<SipJsOutcome> {
  installWebSocket(ca);
  const uri = UserAgent.makeURI(aor);
  if (!uri) throw new Error(`sip.js cannot parse ${aor}`);
  const userAgent = new UserAgent({
    uri,
    transportOptions: { server, connectionTimeout: Math.ceil(timeoutMs / 1000), keepAliveInterval: 0 },
    logBuiltinEnabled: false,
    logLevel: 'error',
    ...(credentials ? { authorizationUsername: credentials.username, authorizationPassword: credentials.password } : {}),
  });
  try {
    await userAgent.start();
  } catch (error) {
    await userAgent.stop().catch(() => undefined);
    return { connected: false, registered: false, detail: `connect failed: ${(error as Error).message}` };
  }
  const registerer = new Registerer(userAgent, { expires: 60 });
  try {
    const outcome = await new Promise<SipJsOutcome>((resolve) => {
      const timer = setTimeout(() => resolve({ connected: true, registered: false, detail: 'no final answer in time' }), timeoutMs);
      registerer.stateChange.addListener((state) => {
        if (state === RegistererState.Registered) {
          clearTimeout(timer);
          resolve({ connected: true, registered: true, status: 200, detail: 'registered' });
        }
      });
      registerer.register({
        requestDelegate: {
          onReject: (response) => {
            clearTimeout(timer);
            const status = response.message.statusCode;
            resolve({ connected: true, registered: false, status, detail: `REGISTER answered ${status}` });
          },
        },
      }).catch((error: Error) => {
        clearTimeout(timer);
        resolve({ connected: true, registered: false, detail: `register failed: ${error.message}` });
      });
    });
    return outcome;
  } finally {
    await registerer.dispose().catch(() => undefined);
    await userAgent.stop().catch(() => undefined);
  }
}
