/**
 * A line that tells the truth (issue 11): when the server last confirmed it, never "registered"
 * on faith after a late timer or a sleep, and a line another client took stops at once.
 */

import { describe, expect, it } from 'vitest';
import { createCallingClient } from '../../../lib/service/calling-client';
import { PRIMARY } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';

const STATUS = /\/status$/;

describe('last confirmed', () => {
  it('the snapshot says when Mobius last confirmed the line, and by when it must again', async () => {
    const h = new Harness();
    await h.registered();
    const registeredAt = h.clock.now();
    let snap = await h.service.snapshot();
    expect(snap.confirmedAt).toBe(registeredAt);
    expect(snap.confirmBy).toBe(registeredAt + 30_000 + 10_000);
    await h.advance(30_000);
    snap = await h.service.snapshot();
    expect(snap.confirmedAt).toBe(registeredAt + 30_000);
    // A failed keepalive does not move it.
    h.cloud.fault('keepalive', json(503));
    await h.advance(30_000);
    expect((await h.service.snapshot()).confirmedAt).toBe(registeredAt + 30_000);
  });

  it('an overdue keepalive shows reconnecting, not registered, even before anything runs', async () => {
    const h = new Harness();
    await h.registered();
    // Time passes and no timer fires (the worker is asleep): the snapshot will not lie.
    h.clock.tick(30_000 + 10_001);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'active', display: 'reconnecting' });
  });

  it('a keepalive timer firing late: reconnecting until it answers, then reconnected', async () => {
    const h = new Harness();
    await h.registered();
    const mark = h.mark();
    h.clock.tick(5 * 60_000);
    await h.service.onTimer('line:keepalive');
    await h.service.whenIdle();
    expect(h.events(mark)).toEqual(['reconnecting', 'reconnected']);
    expect(h.diagnostics.some((d) => /fired late/.test(d.message))).toBe(true);
    expect(await h.state()).toBe('active');
  });
});

describe('sleep and wake', () => {
  it('after a sleep past the server expiry: one keepalive at once, 404, registered again', async () => {
    const h = new Harness();
    await h.registered();
    const mark = h.mark();
    h.clock.tick(10 * 60_000);
    h.cloud.devices.clear(); // expired at the server while we slept
    await h.service.onResume();
    await h.service.whenIdle();
    expect(h.events(mark)).toEqual(['reconnecting', 'error', 'unregistered', 'registered']);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a resume right after a keepalive answered sends nothing', async () => {
    const h = new Harness();
    await h.registered();
    await h.advance(30_000);
    const sent = h.http.calls.length;
    await h.service.onResume();
    await h.service.whenIdle();
    expect(h.http.calls.length).toBe(sent);
  });
});

describe('a superseded line (keepalive 409)', () => {
  it('stops at once with the explanation; no re-registration loop; "Use it here" brings it back', async () => {
    const h = new Harness();
    await h.registered();
    const mark = h.mark();
    // Another client registered the line: Mobius ends our device and answers its keepalive 409.
    h.cloud.fault('keepalive', json(409, { message: 'superseded' }));
    h.cloud.devices.clear();
    await h.advance(30_000);
    expect(h.events(mark)).toEqual(['unregistered']);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({
      state: 'inactive',
      display: 'error',
      error: {
        type: 'registrationError',
        msg: 'Your line is now registered in another client.',
        detail: { httpStatus: 409, action: 'useHere' },
      },
    });
    const posts = h.http.count('POST', `${PRIMARY}device`);
    await h.advance(10 * 60_000);
    // Nothing more about that device: no DELETE of what the server already ended.
    expect(h.http.count('DELETE', /devices\//)).toBe(0);
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(posts);
    expect(h.http.count('POST', STATUS)).toBe(1);
    // The user chooses to use it here.
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('the seed Line hears unregistered with the error', async () => {
    const h = new Harness();
    await h.registered();
    const client = await createCallingClient(h.service);
    const line = Object.values(client.getLines())[0];
    const heard: unknown[] = [];
    line?.on('unregistered', ((error?: unknown) => heard.push(error)) as () => void);
    h.cloud.fault('keepalive', json(409));
    await h.advance(30_000);
    expect(heard).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ httpStatus: 409 }) }),
    ]);
  });
});
