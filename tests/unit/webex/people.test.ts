import { describe, expect, it } from 'vitest';
import { fetchPeopleMe, uuidFromWebexId } from '../../../lib/webex/people';
import { json, ScriptedFetch } from '../fakes/fetch';

const URL_ME = 'https://webex.test/v1/people/me';
const USER = '8a67806f-fc4d-446b-a131-31e71ea5b0e9';
const ORG = '1eb65fdf-9643-417f-9974-ad72cae0e10f';
const id = (kind: string, uuid: string) => btoa(`ciscospark://us/${kind}/${uuid}`);

describe('uuidFromWebexId', () => {
  it('decodes padded, unpadded and base64url ids, and accepts a bare UUID', () => {
    expect(uuidFromWebexId(id('PEOPLE', USER))).toBe(USER);
    expect(uuidFromWebexId(id('PEOPLE', USER).replace(/=+$/, ''))).toBe(USER);
    expect(uuidFromWebexId(id('PEOPLE', USER).replace(/\+/g, '-').replace(/\//g, '_'))).toBe(USER);
    expect(uuidFromWebexId(USER)).toBe(USER);
  });
  it('refuses something that is not a Webex id', () => {
    expect(uuidFromWebexId('hello')).toBeUndefined();
    expect(uuidFromWebexId(btoa('https://example.test/x'))).toBeUndefined();
  });
});

describe('fetchPeopleMe', () => {
  it('maps the person to the user summary', async () => {
    const http = new ScriptedFetch();
    http.on(
      'GET',
      URL_ME,
      json(200, {
        id: id('PEOPLE', USER),
        orgId: id('ORGANIZATION', ORG),
        displayName: 'Ada',
        emails: ['ada@x.test', 'other@x.test'],
        phoneNumbers: [
          { type: 'mobile', value: '+1 1' },
          { type: 'work', value: '+1 2' },
          { type: 'work_extension', value: '8012' },
        ],
        sipAddresses: [{ type: 'cloud-calling', value: 'ada@calls.test', primary: true }],
      }),
    );
    const outcome = await fetchPeopleMe(http.fetch, URL_ME, 'Bearer t');
    expect(outcome).toMatchObject({
      ok: true,
      value: {
        userId: USER,
        orgId: ORG,
        displayName: 'Ada',
        email: 'ada@x.test',
        phoneNumber: '+1 2',
        extension: '8012',
        sipAddresses: ['ada@calls.test'],
      },
    });
    expect(http.calls[0]?.headers.authorization).toBe('Bearer t');
  });

  it('prefers `extension` over work_extension', async () => {
    const http = new ScriptedFetch();
    http.on(
      'GET',
      URL_ME,
      json(200, {
        id: id('PEOPLE', USER),
        extension: '12',
        phoneNumbers: [{ type: 'work_extension', value: '8012' }],
      }),
    );
    const outcome = await fetchPeopleMe(http.fetch, URL_ME, 'Bearer t');
    expect(outcome.ok && outcome.value).toMatchObject({
      extension: '12',
      phoneNumber: undefined,
      email: '',
      displayName: '',
    });
  });

  it('names the bad field of a malformed person', async () => {
    const http = new ScriptedFetch();
    http.on('GET', URL_ME, json(200, { id: 'not-an-id', emails: 'ada' }));
    const outcome = await fetchPeopleMe(http.fetch, URL_ME, 'Bearer t');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toContain('id: expected a Webex id');
  });

  it('returns a 401 as data', async () => {
    const http = new ScriptedFetch();
    http.on('GET', URL_ME, json(401, { message: 'expired' }));
    const outcome = await fetchPeopleMe(http.fetch, URL_ME, 'Bearer t');
    expect(outcome.ok ? null : outcome.error).toMatchObject({ kind: 'http', status: 401 });
  });
});
