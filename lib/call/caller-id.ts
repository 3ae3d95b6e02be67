/**
 * Caller id from a Mobius call event's `callerId` headers (reference/mobius-calls.md §4, SDK
 * 3.12.0 `CallerId.fetchCallerDetails`): `p-asserted-identity` first, then `From` fills whatever
 * is still missing; a BroadWorks `externalId` is returned for a later directory look-up.
 */

export interface CallerIdHeaders {
  from?: string;
  'p-asserted-identity'?: string;
  'x-broadworks-remote-party-info'?: string;
}

export interface CallerId {
  name?: string;
  number?: string;
  /** Webex user id to resolve through the directory (SCIM in the SDK); never shown as is. */
  externalId?: string;
}

/** The SDK's `VALID_PHONE_REGEX`; the number must match it whole. */
const PHONE = /[\d\s()*#+.-]+/;

/** `"Bob" <sip:5008@host;user=phone>;tag=x` -> name "Bob", number "5008" (SDK `parseSipUri`). */
export function parseSipIdentity(header: string): Omit<CallerId, 'externalId'> {
  const result: Omit<CallerId, 'externalId'> = {};
  const name = header.split('<')[0]?.replace(/"/g, '').trim();
  if (name) result.name = name;
  const user = header.split('@')[0]?.replace(/"/g, '') ?? '';
  const number = user.substring(user.indexOf(':') + 1);
  const match = PHONE.exec(number);
  if (match && match[0].length === number.length && number.length > 0) result.number = number;
  return result;
}

/** The last `;`-separated token of the BroadWorks header, when it is `externalId=<id>`. */
export function externalIdOf(remotePartyInfo: string): string | undefined {
  const last = remotePartyInfo.split(';').at(-1) ?? '';
  if (!last.includes('externalId')) return undefined;
  const id = last.split('=')[1]?.trim();
  return id ? id : undefined;
}

export function callerIdOf(headers: CallerIdHeaders | undefined): CallerId {
  const result: CallerId = {};
  if (!headers) return result;
  const asserted = headers['p-asserted-identity'];
  if (typeof asserted === 'string') Object.assign(result, parseSipIdentity(asserted));
  if (typeof headers.from === 'string') {
    const from = parseSipIdentity(headers.from);
    result.name ??= from.name;
    result.number ??= from.number;
  }
  const info = headers['x-broadworks-remote-party-info'];
  const externalId = typeof info === 'string' ? externalIdOf(info) : undefined;
  if (externalId) result.externalId = externalId;
  for (const key of ['name', 'number'] as const) if (result[key] === undefined) delete result[key];
  return result;
}

/** What the UI shows: the name, else the number, else a neutral label. */
export function callerLabel(id: CallerId): string {
  return id.name ?? id.number ?? 'Unknown caller';
}
