/**
 * Registrations (RFC 3261 §10.3): bindings of an address-of-record (the To URI's user, which only the account of
 * that name may change: 403 otherwise, step 3) to Contact URIs, each with its expiry: the Contact's expires
 * parameter, else the Expires header, else 3600 (§10.2.1.1), capped to [min, max]; expires=0 removes a binding,
 * `Contact: *` with Expires: 0 removes all (§10.3 step 6); a REGISTER with a binding's Call-ID and a CSeq not
 * higher than the binding's fails with 400 and changes nothing (steps 6, 7). The 200 lists every current binding with its remaining time (§10.3 step 8). Bounded: at most MAX_BINDINGS in all and
 * MAX_PER_AOR per address-of-record.
 */
import { contactsOf, cseqOf, getHeader, parseUri, toOf, type SipRequest } from '../sip/index.js';

export interface Binding {
  contact: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  /** The authenticated user that made it. */
  user: string;
}

export const MIN_EXPIRES = 10;
export const MAX_EXPIRES = 3600;
export const MAX_BINDINGS = 100_000;
export const MAX_PER_AOR = 16;

export type RegisterAnswer =
  | { status: 200; contacts: [string, string][] }
  | { status: 400 | 403 | 423 | 503; reason: string; headers?: [string, string][] };

/** Kamailio's registrar answers the same "400 Invalid CSeq number". */
const OUT_OF_ORDER: RegisterAnswer = { status: 400, reason: 'Bad Request (CSeq not higher than the binding\'s, RFC 3261 §10.3)' };

/** §10.3 steps 6 and 7: a REGISTER with the binding's Call-ID changes it only with a higher CSeq. */
function outOfOrder(binding: Binding, callId: string, cseq: number): boolean {
  return binding.callId === callId && cseq <= binding.cseq;
}

export class Registrar {
  private readonly bindings = new Map<string, Binding[]>();
  private count = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies a REGISTER from `user` (already authenticated); the answer to send. */
  register(request: SipRequest, user: string): RegisterAnswer {
    let aor: string;
    let contacts;
    let cseq: number | undefined;
    try {
      // §10.3 step 7 keys bindings by Call-ID and CSeq: a REGISTER whose CSeq the one parser cannot read gets 400 (§8.2.2)
      cseq = cseqOf(request)?.seq;
    } catch {
      cseq = undefined;
    }
    if (cseq === undefined) return { status: 400, reason: 'Bad Request (missing or malformed CSeq)' };
    try {
      const to = toOf(request);
      const uri = to ? parseUri(to.uri) : undefined;
      if (!uri || uri.user === undefined) return { status: 400, reason: 'Bad Request (To has no user)' };
      aor = uri.user;
      contacts = contactsOf(request);
    } catch {
      return { status: 400, reason: 'Bad Request (unreadable To or Contact)' };
    }
    // §10.3 step 3: each account may change the bindings of the address-of-record of its own name only
    if (aor !== user) return { status: 403, reason: `Forbidden (${user} may not register ${aor})` };
    const expiresHeader = getHeader(request, 'expires');
    const defaultExpires = expiresHeader !== undefined && /^\s*\d+\s*$/.test(expiresHeader) ? Number(expiresHeader) : 3600;
    const callId = getHeader(request, 'call-id') ?? '';
    this.expire(aor);
    if (contacts.some((contact) => contact.wildcard)) {
      // §10.3 step 6: "*" only with Expires: 0 and alone
      if (contacts.length !== 1 || defaultExpires !== 0) return { status: 400, reason: 'Bad Request (Contact: * needs Expires: 0)' };
      if ((this.bindings.get(aor) ?? []).some((binding) => outOfOrder(binding, callId, cseq!))) return OUT_OF_ORDER;
      this.set(aor, []);
      return { status: 200, contacts: [] };
    }
    const current = [...(this.bindings.get(aor) ?? [])];
    for (const contact of contacts) {
      const param = contact.params.expires;
      const asked = typeof param === 'string' && /^\d+$/.test(param) ? Number(param) : defaultExpires;
      const index = current.findIndex((binding) => binding.contact === contact.uri);
      // §10.3 step 7: the binding's own Call-ID with a CSeq not higher than its own aborts the whole request
      if (index >= 0 && outOfOrder(current[index], callId, cseq)) return OUT_OF_ORDER;
      if (asked === 0) {
        if (index >= 0) current.splice(index, 1);
        continue;
      }
      // §10.3 step 7: a shorter interval than we accept is refused with 423 and our Min-Expires
      if (asked < MIN_EXPIRES) return { status: 423, reason: 'Interval Too Brief', headers: [['Min-Expires', String(MIN_EXPIRES)]] };
      const binding = { contact: contact.uri, expiresAt: this.now() + Math.min(asked, MAX_EXPIRES) * 1000, callId, cseq, user };
      if (index >= 0) current[index] = binding;
      else current.push(binding);
    }
    if (current.length > MAX_PER_AOR) return { status: 503, reason: `Service Unavailable (more than ${MAX_PER_AOR} bindings for ${aor})` };
    const growth = current.length - (this.bindings.get(aor)?.length ?? 0);
    if (this.count + growth > MAX_BINDINGS) return { status: 503, reason: 'Service Unavailable (registrar full)' };
    this.set(aor, current);
    return { status: 200, contacts: current.map((binding) => ['Contact', `<${binding.contact}>;expires=${Math.max(0, Math.round((binding.expiresAt - this.now()) / 1000))}`]) };
  }

  private set(aor: string, list: Binding[]): void {
    this.count += list.length - (this.bindings.get(aor)?.length ?? 0);
    if (list.length === 0) this.bindings.delete(aor);
    else this.bindings.set(aor, list);
  }

  private expire(aor: string): void {
    const list = this.bindings.get(aor);
    if (!list) return;
    const now = this.now();
    const live = list.filter((binding) => binding.expiresAt > now);
    if (live.length !== list.length) this.set(aor, live);
  }

  /** Drops every expired binding (called periodically). */
  sweep(): void {
    for (const aor of [...this.bindings.keys()]) this.expire(aor);
  }

  /** Current bindings per address-of-record, seconds left; grouped by the credential that made them. */
  list(): { aor: string; contact: string; expiresIn: number; user: string }[] {
    const now = this.now();
    return [...this.bindings].flatMap(([aor, list]) => list.filter((binding) => binding.expiresAt > now)
      .map((binding) => ({ aor, contact: binding.contact, expiresIn: Math.round((binding.expiresAt - now) / 1000), user: binding.user })));
  }
}
