/**
 * The seams where the pure table meets storage, alarms, the clock and the token store (issue 21,
 * bugs 1, 2, 4, 5, 7 and 8). Each runs the real scheduler, cached store and interpreter on fake
 * time, and each failed on the engine before it reconciled.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECORD_KEY } from '../../../lib/line/record';
import { PRIMARY, WDM_BASE } from '../fakes/cloud';
import { json, type RecordedRequest } from '../fakes/fetch';
import { heldRequest } from '../fakes/held-request';
import { WorkerRig } from '../fakes/worker-rig';

const MINUTE = 60_000;
const STATUS = /\/status$/;
const pendingKeepalive = (value: unknown) =>
  (value as { pending?: { tag?: string } } | undefined)?.pending?.tag === 'keepalive';

describe('the line does not go quiet at the seams', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 0, 5, 9, 0, 0));
  });
  afterEach(() => vi.useRealTimers());

  it('bug 1: a failed write of the record during a keepalive tick costs one keepalive, not the line', async () => {
    const rig = new WorkerRig();
    await rig.registered();
    rig.disk.next(RECORD_KEY, 'fail', pendingKeepalive);
    const from = Date.now();
    await rig.advance(10 * MINUTE);
    // The old engine: 0 keepalives in 10 minutes, only auth:refresh armed, state active.
    expect(rig.keepalives(from)).toBeGreaterThanOrEqual(18);
    expect((await (await rig.current()).snapshot()).state).toBe('active');
  });

  it('bug 1: a write of the record that never finishes leaves no keepalive "in flight" that was never sent', async () => {
    const rig = new WorkerRig();
    await rig.registered();
    rig.disk.next(RECORD_KEY, 'hang', pendingKeepalive);
    const from = Date.now();
    await rig.advance(10 * MINUTE);
    // One keepalive is lost with the hung write; the next is on time (the old engine went
    // quiet for minutes: 17 in 10 minutes).
    expect(rig.keepalives(from)).toBeGreaterThanOrEqual(18);
    expect((await (await rig.current()).snapshot()).state).toBe('active');
  });

  it('bug 2: the clock set back an hour: keepalives go on and the line is not shown confirmed in the future', async () => {
    const rig = new WorkerRig();
    await rig.registered();
    await rig.advance(10_000);
    vi.setSystemTime(Date.now() - 60 * MINUTE);
    const from = Date.now();
    await rig.advance(3 * MINUTE);
    // The old engine: 0 keepalives in 3 minutes, display `registered`.
    expect(rig.keepalives(from)).toBeGreaterThanOrEqual(5);
    const snap = await (await rig.current()).snapshot();
    expect(snap.display).toBe('registered');
    expect(snap.confirmedAt).toBeLessThanOrEqual(Date.now());
  });

  it('bug 2: right after a step back, before any keepalive, the status does not claim a confirmation', async () => {
    const rig = new WorkerRig();
    await rig.registered();
    rig.kill();
    vi.setSystemTime(Date.now() - 60 * MINUTE);
    const snap = await (await rig.current()).snapshot();
    expect(snap.display).not.toBe('registered');
  });

  it('bug 7: a worker killed after the record is saved and before its alarm is armed is woken', async () => {
    const rig = new WorkerRig();
    const service = await rig.current();
    const signIn = await service.signInWithOutcome();
    expect(signIn.outcome).toBe('signedIn');
    // The register event's record lands (a registration POST "in flight") and the worker dies.
    rig.disk.next(RECORD_KEY, 'kill', (value) => (value as { pending?: unknown }).pending != null);
    void service.register();
    await rig.advance(3 * MINUTE);
    const after = await rig.current();
    expect((await after.snapshot()).state).toBe('active');
    expect(rig.cloud.devices.size).toBe(1);
  });

  it('bug 4: Register pressed while "Your devices" removes a device registers once it is gone', async () => {
    const rig = new WorkerRig();
    const service = await rig.current();
    await service.signInWithOutcome();
    const stale = 'old-profile';
    rig.cloud.devices.set(stale, {
      deviceId: stale,
      uri: `${PRIMARY}devices/${stale}`,
      serverUrl: PRIMARY,
      clientDeviceUri: `${WDM_BASE}/devices/old-profile-wdm`,
      lastSeen: '2026-01-01T00:00:00Z',
      addresses: [],
      status: 'active',
    });
    const held = heldRequest();
    rig.http.on(
      'DELETE',
      /\/devices\//,
      (request: RecordedRequest) => held.hold(() => rig.cloud.handle(request)),
      1,
    );
    const removing = service.removeDevice(stale);
    await rig.advance(1_000);
    void service.register();
    await rig.advance(1_000);
    held.release();
    await removing;
    await rig.advance(5_000);
    // The old engine dropped the Register: inactive with no timer but auth:refresh.
    expect((await service.snapshot()).state).toBe('active');
    expect([...rig.cloud.devices.keys()]).not.toContain(stale);
  });

  it("found by the simulation (seeds 85, 398): Register pressed while a deregistration's DELETE is still out shows connecting at once, and registers once it answers", async () => {
    const rig = new WorkerRig();
    await rig.registered();
    const service = await rig.current();
    const held = heldRequest();
    rig.http.on(
      'DELETE',
      /\/devices\//,
      (request: RecordedRequest) => held.hold(() => rig.cloud.handle(request)),
      1,
    );
    void service.deregister();
    await rig.advance(500);
    await service.register();
    // Before: "idle" for as long as the DELETE took (up to its 20 s deadline), as if not clicked.
    expect((await service.snapshot()).state).toBe('connecting');
    held.release();
    await rig.advance(5_000);
    expect((await service.snapshot()).state).toBe('active');
    expect(rig.cloud.devices.size).toBe(1);
  });

  it('bug 5: the failback timer firing while a keepalive is in flight is deferred, not dropped', async () => {
    const rig = new WorkerRig();
    rig.cloud.fault('register', json(503), { prefix: PRIMARY, times: 4 });
    const service = await rig.current();
    await service.signInWithOutcome();
    await service.register();
    await rig.advance(2 * MINUTE);
    expect((await service.snapshot()).server?.role).toBe('backup');
    // Keepalives answer slowly: one is always in flight when the failback time comes.
    rig.http.on(
      'POST',
      STATUS,
      async (request: RecordedRequest) => {
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        return rig.cloud.handle(request);
      },
      1000,
    );
    await rig.advance(4 * 60 * MINUTE, 1_000);
    // The old engine: still on the backup four hours later, 0 pings to the primary.
    expect(rig.http.count('GET', /\/ping$/)).toBeGreaterThanOrEqual(1);
    expect((await service.snapshot()).server?.role).toBe('primary');
  });

  it('bug 8: one failed token write during a refresh (rotated refresh token) does not sign the user out', async () => {
    const rig = new WorkerRig();
    rig.cloud.rotateRefreshToken = true;
    await rig.registered();
    rig.disk.next('auth:tokens', 'fail');
    await rig.advance(3 * 60 * MINUTE, 1_000);
    const snap = await (await rig.current()).snapshot();
    expect(snap.auth).toBe('signedIn');
    expect(snap.state).toBe('active');
  });

  it('a token endpoint that answers 404 while a keepalive renews the token is not read as Mobius saying "Device not found" (found by the simulation, seed 2778)', async () => {
    const rig = new WorkerRig();
    await rig.registered();
    const [device] = [...rig.cloud.devices.keys()];
    rig.cloud.fault('token', json(404, { message: 'The URI requested is invalid' }), { times: 2 });
    vi.setSystemTime(Date.now() + 20 * 60 * MINUTE); // the access token has expired
    await rig.advance(5 * MINUTE, 1_000);
    // Before: "Device not found", the device dropped and a second one registered beside it.
    expect([...rig.cloud.devices.keys()]).toEqual([device]);
    expect((await (await rig.current()).snapshot()).state).toBe('active');
  });

  it('a sign-out left owed (its record write hung after the DELETE) ends the old session before a new sign-in keeps its tokens (found by the simulation, seed 91)', async () => {
    const rig = new WorkerRig();
    await rig.registered();
    const service = await rig.current();
    rig.disk.next(RECORD_KEY, 'hang', (value) => {
      const flow = (value as { flow?: { kind?: string; phase?: string } } | undefined)?.flow;
      return flow?.kind === 'signOut' && flow.phase === 'session';
    });
    const signingOut = service.signOut().catch(() => undefined);
    await rig.advance(10_000);
    await signingOut;
    const again = await (await rig.current()).signInWithOutcome();
    expect(again.outcome).toBe('signedIn');
    await rig.advance(2 * MINUTE);
    // Before: the owed sign-out resumed after the new tokens were saved and ended that session.
    const snap = await (await rig.current()).snapshot();
    expect(snap.auth).toBe('signedIn');
    expect(rig.disk.data.get('auth:tokens')).toBeTruthy();
  });

  it('a sign-in whose token write fails keeps its tokens (found by the simulation, seed 129 of the three-click bursts)', async () => {
    const rig = new WorkerRig();
    await rig.registered();
    // Webex ended the earlier grant: the refresh token on disk is spent.
    rig.cloud.revokeRefreshTokens();
    rig.disk.next('auth:tokens', 'fail');
    const again = await (await rig.current()).signInWithOutcome();
    expect(again.outcome).toBe('signedIn');
    await rig.advance(3 * 60 * MINUTE, 1_000);
    const snap = await (await rig.current()).snapshot();
    expect(snap.auth).toBe('signedIn');
    expect(snap.state).toBe('active');
  });
});
