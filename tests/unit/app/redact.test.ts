import { describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../../lib/app/diagnostics';
import { memoryStore } from '../platform/memory-store';

const SECRET = 'eyJhbGciOi.s3cr3t-VALUE_42';

/** What is logged as a message, and what must remain of it. */
const CASES: ReadonlyArray<readonly [string, string, string]> = [
  ['bearer header', `Authorization: Bearer ${SECRET}`, 'Authorization: Bearer [redacted]'],
  ['basic header', 'Authorization: Basic Y2xpZW50OnNlY3JldA==', 'Authorization: Basic [redacted]'],
  ['encoded bearer', `auth=Bearer%20${SECRET}&x=1`, 'auth=Bearer%20[redacted]&x=1'],
  ['query', `https://h/cb?code=${SECRET}&state=s`, 'https://h/cb?code=[redacted]&state=s'],
  [
    'form body',
    `grant_type=refresh_token&refresh_token=${SECRET}`,
    'grant_type=refresh_token&refresh_token=[redacted]',
  ],
  [
    'json',
    `{"access_token":"${SECRET}","expires_in":3600}`,
    '{"access_token":"[redacted]","expires_in":3600}',
  ],
  ['json with spaces', `{ "refresh_token" : "${SECRET}" }`, '{ "refresh_token" : "[redacted]" }'],
  ['camelCase json', `{"accessToken":"${SECRET}"}`, '{"accessToken":"[redacted]"}'],
  [
    'escaped json',
    `{"body":"{\\"access_token\\":\\"${SECRET}\\"}"}`,
    '{"body":"{\\"access_token\\":\\"[redacted]\\"}"}',
  ],
  [
    'encoded query',
    `next=%2Fcb%3Faccess_token%3D${SECRET}%26state%3Ds`,
    'next=%2Fcb%3Faccess_token%3D[redacted]%26state%3Ds',
  ],
  [
    'encoded json',
    `d=%7B%22access_token%22%3A%22${SECRET}%22%7D`,
    'd=%7B%22access_token%22%3A%22[redacted]%22%7D',
  ],
  [
    'encoded json, spaced',
    `%22client_secret%22%3A%20%22${SECRET}%22`,
    '%22client_secret%22%3A%20%22[redacted]%22',
  ],
];

describe('the diagnostics redactor', () => {
  it.each(CASES)('removes a secret from %s', async (_name, text, expected) => {
    const diagnostics = createDiagnostics(memoryStore(), { now: () => 1 });
    await diagnostics.add('k', text, { nested: { text } });
    const [entry] = await diagnostics.list();
    expect(entry?.message).toBe(expected);
    expect(entry?.data).toEqual({ nested: { text: expected } });
    expect(JSON.stringify(entry)).not.toContain('s3cr3t');
  });

  it.each([
    'Mobius errorCode=101 after 3 tries',
    'status_code=401 for https://webexapis.com/v1/people/me',
    '{"token_type":"Bearer","expires_in":3600}',
    'token refresh in 120000 ms',
  ])('leaves ordinary text alone: %s', async (text) => {
    const diagnostics = createDiagnostics(memoryStore(), { now: () => 1 });
    await diagnostics.add('k', text);
    expect((await diagnostics.list())[0]?.message).toBe(text);
  });
});
