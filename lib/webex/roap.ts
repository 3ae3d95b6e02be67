/**
 * ROAP messages (reference/mobius-calls.md §3): the shape Mobius sends inside `mobius.media`
 * events and the browser sends in `localMedia.roap`, parsed strictly.
 */
import {
  nonEmptyStr,
  num,
  numberLike,
  object,
  optional,
  SchemaError,
  str,
  type Validator,
} from './validate';

export const ROAP_TYPES = [
  'OFFER',
  'ANSWER',
  'OK',
  'ERROR',
  'OFFER_REQUEST',
  'OFFER_RESPONSE',
] as const;
export type RoapType = (typeof ROAP_TYPES)[number];

/** Media-core's tie breaker on a local offer (0xFFFFFFFE). */
export const ROAP_TIE_BREAKER = 4294967294;

export interface RoapMessage {
  messageType: RoapType;
  seq: number;
  sdp?: string;
  version?: string;
  tieBreaker?: number;
  errorType?: string;
}

const roapType: Validator<RoapType> = (input, path) => {
  if (typeof input === 'string' && (ROAP_TYPES as readonly string[]).includes(input)) {
    return input as RoapType;
  }
  throw new SchemaError(path, `one of ${ROAP_TYPES.join(', ')}`);
};

const shape = object({
  messageType: roapType,
  seq: numberLike,
  sdp: optional(str),
  version: optional(str),
  tieBreaker: optional(num),
  errorType: optional(nonEmptyStr),
});

/** An offer or answer without SDP is useless: refuse it here rather than deep in media code. */
export const roapMessage: Validator<RoapMessage> = (input, path) => {
  const message = shape(input, path);
  const needsSdp = ['OFFER', 'ANSWER', 'OFFER_RESPONSE'].includes(message.messageType);
  if (needsSdp && !message.sdp) throw new SchemaError(`${path}.sdp`, 'an SDP for an offer/answer');
  return message;
};

/** What the browser sends (no `version`; the call's own seq, SDK `Call.seq` rules). */
export function localRoap(messageType: RoapType, seq: number, sdp?: string): RoapMessage {
  const message: RoapMessage = { messageType, seq };
  if (sdp !== undefined) message.sdp = sdp;
  if (messageType === 'OFFER') message.tieBreaker = ROAP_TIE_BREAKER;
  return message;
}
