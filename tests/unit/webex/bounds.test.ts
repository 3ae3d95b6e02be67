import { describe, expect, it } from 'vitest';
import { clampServerValue, SERVER_BOUNDS } from '../../../lib/webex/bounds';
import { retryAfterOf } from '../../../lib/webex/http';

describe('server values are clamped to sane ranges', () => {
  it('keeps values inside the bound and says what it clamped', () => {
    expect(clampServerValue('keepaliveInterval', 30)).toEqual({ value: 30 });
    expect(clampServerValue('keepaliveInterval', 0.001)).toEqual({ value: 1, clampedFrom: 0.001 });
    expect(clampServerValue('rehomingIntervalMin', -5)).toEqual({ value: 1, clampedFrom: -5 });
    expect(clampServerValue('retryAfter', 1e9)).toEqual({ value: 3600, clampedFrom: 1e9 });
    expect(clampServerValue('retryAfter', Number.NaN).value).toBe(SERVER_BOUNDS.retryAfter.min);
  });
});

describe('Retry-After', () => {
  const headers = (init: Record<string, string>) => new Headers(init);

  it('reads delay-seconds, 0 included', () => {
    expect(retryAfterOf(headers({ 'retry-after': '0' }))).toEqual({ retryAfter: 0 });
    expect(retryAfterOf(headers({ 'retry-after': '12' }))).toEqual({ retryAfter: 12 });
    expect(retryAfterOf(headers({}))).toBeUndefined();
    expect(retryAfterOf(headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });

  it('reads an HTTP-date against the answer’s own Date header', () => {
    const date = 'Sun, 06 Dec 2026 12:00:00 GMT';
    expect(retryAfterOf(headers({ date, 'retry-after': 'Sun, 06 Dec 2026 12:00:45 GMT' }))).toEqual(
      { retryAfter: 45 },
    );
    // A date in the past is "now".
    expect(retryAfterOf(headers({ date, 'retry-after': 'Sun, 06 Dec 2026 11:00:00 GMT' }))).toEqual(
      { retryAfter: 0, retryAfterClampedFrom: -3600 },
    );
  });

  it('clamps a huge value to an hour and remembers what was sent', () => {
    expect(retryAfterOf(headers({ 'retry-after': '31536000' }))).toEqual({
      retryAfter: 3600,
      retryAfterClampedFrom: 31_536_000,
    });
  });
});
