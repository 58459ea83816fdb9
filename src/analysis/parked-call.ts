/**
 * The compact form of a call held with nothing going on: an answered call whose BYE is not (yet) in the capture,
 * all of its transactions closed 64*T1 after their last message (RFC 3261 §17), so that no retransmission of its
 * past requests can come. Such calls are held to the end of the capture (a real call may last an hour) and a busy
 * capture holds tens of thousands of them: as objects, ~1.3 KB each (the call, its session requests, tag sets,
 * packet list and their numbers); as this one string, ~400 bytes. The CallTable parks them (call-table.ts) and brings one
 * back as it was when a message of its Call-ID comes, or when the capture ends.
 *
 * The text is JSON of positional arrays: times relative to the call's start (exact: both are doubles of the same
 * capture, their difference is representable), packet numbers as differences, booleans as 0/1, undefined as null.
 */
import type { MessageRef, SessionRequest } from './dialogs.js';
import type { CallSide, CallStart, Credential } from './types.js';

/** What a call's state holds, as the CallRecord gives it to be parked and takes it back. */
export interface ParkedState extends CallStart {
  sequence: number;
  lastUs: number;
  ringing: boolean;
  answerUs?: number;
  cancel?: MessageRef;
  bye?: MessageRef;
  reinvites: number;
  packets: number[];
  packetsTruncated: boolean;
  awaitingTransactions: number;
  earlyTags: string[];
  confirmedTags: string[];
  sessions: readonly SessionRequest[];
  firstCredential?: Credential;
}

/** A parked call: its state as text, and its owner (asked for without bringing the call back). */
export class ParkedCall {
  constructor(
    readonly text: string,
    readonly owner: string | undefined,
  ) {}
}

type Json = null | number | string | Json[];

export function parkState(state: ParkedState, owner: string | undefined): ParkedCall {
  const start = state.startUs;
  const at = (timeUs: number | undefined): Json => (timeUs === undefined ? null : timeUs - start);
  const ref = (message: MessageRef | undefined): Json => (message === undefined ? null : [message.packetNumber, message.timeUs - start, message.side === 'caller' ? 0 : 1]);
  const sessions: Json[] = state.sessions.map((session) => [
    session.method === 'INVITE' ? 0 : 1,
    bit(session.inDialog),
    bit(session.confirmedDialog),
    session.fromTag ?? null,
    session.cseqNumber,
    ref(session.request),
    credentialFields(session.credential),
    session.finalStatus ?? null,
    at(session.finalTimeUs),
    session.finalPacket ?? null,
    at(session.successTimeUs),
    session.successPacket ?? null,
    differences(session.forbiddenPackets),
    at(session.forbiddenTimeUs),
    bit(session.acked),
  ]);
  const fields: Json[] = [
    state.from,
    state.to,
    state.callerTag ?? null,
    state.callerUser ?? null,
    start,
    bit(state.startedBeforeCapture),
    state.sequence,
    state.lastUs - start,
    bit(state.ringing),
    at(state.answerUs),
    ref(state.cancel),
    ref(state.bye),
    state.reinvites,
    differences(state.packets),
    bit(state.packetsTruncated),
    state.awaitingTransactions,
    state.earlyTags,
    state.confirmedTags,
    sessions,
    credentialFields(state.firstCredential),
  ];
  return new ParkedCall(JSON.stringify(fields), owner);
}

export function unparkState(parked: ParkedCall): ParkedState {
  const fields = JSON.parse(parked.text) as Json[];
  const start = fields[4] as number;
  const at = (relative: Json): number | undefined => (relative === null ? undefined : start + (relative as number));
  const ref = (value: Json): MessageRef | undefined => {
    if (value === null) return undefined;
    const [packetNumber, timeUs, side] = value as number[];
    return { packetNumber, timeUs: start + timeUs, side: (side === 0 ? 'caller' : 'callee') as CallSide };
  };
  const sessions = (fields[18] as Json[][]).map((session): SessionRequest => {
    return {
      method: session[0] === 0 ? 'INVITE' : 'UPDATE',
      inDialog: session[1] === 1,
      confirmedDialog: session[2] === 1,
      fromTag: (session[3] as string | null) ?? undefined,
      cseqNumber: session[4] as number,
      request: ref(session[5]),
      credential: credentialOfFields(session[6]),
      finalStatus: (session[7] as number | null) ?? undefined,
      finalTimeUs: at(session[8]),
      finalPacket: (session[9] as number | null) ?? undefined,
      successTimeUs: at(session[10]),
      successPacket: (session[11] as number | null) ?? undefined,
      forbiddenPackets: sums(session[12] as number[]),
      forbiddenTimeUs: at(session[13]),
      acked: session[14] === 1,
    };
  });
  return {
    from: fields[0] as string,
    to: fields[1] as string,
    callerTag: (fields[2] as string | null) ?? undefined,
    callerUser: (fields[3] as string | null) ?? undefined,
    startUs: start,
    startedBeforeCapture: fields[5] === 1,
    sequence: fields[6] as number,
    lastUs: start + (fields[7] as number),
    ringing: fields[8] === 1,
    answerUs: at(fields[9]),
    cancel: ref(fields[10]),
    bye: ref(fields[11]),
    reinvites: fields[12] as number,
    packets: sums(fields[13] as number[]),
    packetsTruncated: fields[14] === 1,
    awaitingTransactions: fields[15] as number,
    earlyTags: fields[16] as string[],
    confirmedTags: fields[17] as string[],
    sessions,
    firstCredential: credentialOfFields(fields[19]),
  };
}

function credentialFields(credential: Credential | undefined): Json {
  return credential === undefined ? null : [credential.username, credential.realm ?? null];
}

function credentialOfFields(value: Json | undefined): Credential | undefined {
  if (value === null || value === undefined) return undefined;
  const [username, realm] = value as [string, string | null];
  return { username, realm: realm ?? undefined };
}

function bit(value: boolean): number {
  return value ? 1 : 0;
}

/** A list of packet numbers as its first and the differences (short: a call's packets are close together). */
function differences(packets: readonly number[]): number[] {
  const out = new Array<number>(packets.length);
  for (let i = 0; i < packets.length; i++) out[i] = i === 0 ? packets[0] : packets[i] - packets[i - 1];
  return out;
}

function sums(steps: readonly number[]): number[] {
  const out = new Array<number>(steps.length);
  for (let i = 0; i < steps.length; i++) out[i] = i === 0 ? steps[0] : out[i - 1] + steps[i];
  return out;
}
