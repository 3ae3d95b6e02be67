/** GET /v1/people/me -> who the user is (reference/webex-oauth.md §9). */
import type { Fetch } from '../ports';
import { type Outcome, requestJson } from './http';
import {
  arrayOf,
  nonEmptyStr,
  object,
  optional,
  SchemaError,
  str,
  type Validator,
} from './validate';

export interface PeopleMe {
  /** Raw user UUID (Mobius wants this, not the base64 People id). */
  userId: string;
  /** Raw org UUID, when the response carries `orgId`. */
  orgId?: string;
  displayName: string;
  email: string;
  /** `phoneNumbers[type=work]`. */
  phoneNumber?: string;
  /** `extension`, else `phoneNumbers[type=work_extension]` (which carries a routing prefix). */
  extension?: string;
  sipAddresses: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * base64(`ciscospark://us/PEOPLE/<uuid>`) -> `<uuid>`. Padding may be stripped and some
 * environments use base64url; a bare UUID is accepted as is.
 */
export function uuidFromWebexId(id: string): string | undefined {
  if (UUID.test(id)) return id;
  let decoded: string;
  try {
    const normalized = id.replace(/-/g, '+').replace(/_/g, '/');
    decoded = atob(normalized + '='.repeat((4 - (normalized.length % 4)) % 4));
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('ciscospark://')) return undefined;
  const last = decoded.split('/').pop() ?? '';
  return last === '' ? undefined : last;
}

const webexId: Validator<string> = (input, path) => {
  const value = nonEmptyStr(input, path);
  const uuid = uuidFromWebexId(value);
  if (!uuid) throw new SchemaError(path, 'a Webex id (base64 of ciscospark://...)');
  return uuid;
};

const typedValue = object({ type: optional(str), value: optional(str) });

const personSchema = object({
  id: webexId,
  orgId: optional(webexId),
  displayName: optional(str),
  emails: optional(arrayOf(str)),
  phoneNumbers: optional(arrayOf(typedValue)),
  extension: optional(str),
  sipAddresses: optional(arrayOf(typedValue)),
});

export async function fetchPeopleMe(
  fetch: Fetch,
  peopleMeUrl: string,
  authorization: string,
): Promise<Outcome<PeopleMe>> {
  const outcome = await requestJson(
    fetch,
    peopleMeUrl,
    { method: 'GET', headers: { authorization, accept: 'application/json' } },
    personSchema,
    'Reading your Webex profile (people/me)',
  );
  if (!outcome.ok) return outcome;
  const person = outcome.value;
  const phone = (type: string) =>
    person.phoneNumbers?.find((entry) => entry.type === type && entry.value)?.value;
  return {
    ...outcome,
    value: {
      userId: person.id,
      orgId: person.orgId,
      displayName: person.displayName ?? '',
      email: person.emails?.[0] ?? '',
      phoneNumber: phone('work'),
      extension: person.extension || phone('work_extension'),
      sipAddresses: (person.sipAddresses ?? []).flatMap((entry) =>
        entry.value ? [entry.value] : [],
      ),
    },
  };
}
