import { describe, expect, it } from 'vitest';
import { redactText } from '../../../lib/app/redact-text';

const SECRET = 'c2VjcmV0LXRva2Vu_PF84_abc123';

describe('secrets in text are redacted in every form', () => {
  it.each([
    ['a bearer header', `Authorization: Bearer ${SECRET}`],
    ['a basic header', `authorization: Basic ${SECRET}`],
    ['a form body', `grant_type=refresh_token&refresh_token=${SECRET}&x=1`],
    ['JSON', `{"access_token":"${SECRET}","expires_in":3600}`],
    ['JSON with spaces', `{ "refresh_token" : "${SECRET}" }`],
    ['JSON camelCase', `{"accessToken":"${SECRET}"}`],
    ['JSON quoted in a string', `body: "{\\"access_token\\":\\"${SECRET}\\"}"`],
    ['a percent-encoded parameter', `next=https%3A%2F%2Fx%3Faccess_token%3D${SECRET}%26a%3D1`],
    ['percent-encoded JSON', `q=%7B%22access_token%22%3A%22${SECRET}%22%7D`],
    ['a client secret', `client_secret=${SECRET}`],
  ])('%s', (_name, text) => {
    const out = redactText(text);
    expect(out).not.toContain(SECRET);
    expect(out).toContain('[redacted]');
  });

  it('leaves ordinary text alone', () => {
    const text = 'Keepalive failed with HTTP 503 (tokenRetryMs 60000, errorCode 101)';
    expect(redactText(text)).toBe(text);
  });
});
