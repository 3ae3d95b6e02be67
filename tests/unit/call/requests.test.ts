import { describe, expect, it } from 'vitest';
import { callFailure } from '../../../lib/call/call-errors';
import { toRequestOutcome } from '../../../lib/call/requests';

describe('call request outcomes', () => {
  it('keeps the setup callId, and only that, of a success', () => {
    expect(toRequestOutcome({ ok: true, value: { callId: 'c9' }, status: 200 })).toEqual({
      ok: true,
      callId: 'c9',
    });
    expect(
      toRequestOutcome({ ok: true, value: { status: 200, ok: true, body: {} }, status: 200 }),
    ).toEqual({ ok: true });
  });

  it("keeps a 403/503 body's Mobius errorCode, or says there was no body", () => {
    const http = (status: number, body: unknown) =>
      toRequestOutcome({
        ok: false,
        error: { kind: 'http', status, body, message: `HTTP ${status}` },
      });
    expect(http(503, { errorCode: 115 })).toMatchObject({ status: 503, errorCode: 115 });
    expect(http(403, undefined)).toMatchObject({ status: 403, noBody: true });
  });

  it('maps errors to end reasons and the SDK sentences (§2)', () => {
    expect(callFailure({ ok: false, status: 503, errorCode: 115, message: '' })).toEqual({
      reason: 'busy',
      detail: 'Called user is busy.',
    });
    expect(callFailure({ ok: false, status: 403, errorCode: 119, message: '' }).reason).toBe(
      'rejected',
    );
    expect(callFailure({ ok: false, status: 503, errorCode: 120, message: '' }).reason).toBe(
      'unavailable',
    );
    expect(callFailure({ ok: false, status: 503, errorCode: 999, message: '' }).detail).toMatch(
      /unknown error/,
    );
    expect(callFailure({ ok: false, status: 503, noBody: true, message: '' }).detail).toMatch(
      /server/,
    );
    expect(callFailure({ ok: false, status: 418, message: 'teapot' })).toEqual({
      reason: 'failed',
      detail: 'teapot',
    });
  });
});
