import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './index';
import { TestMercury } from './mercury-client';
import { createWdmDevice, FakeClock } from './test-support';

let emu: Emulator;
let clients: TestMercury[];
beforeEach(async () => {
  emu = await startEmulator({ clock: new FakeClock() });
  clients = [];
});
afterEach(async () => {
  for (const c of clients) c.close();
  await emu.close();
});

async function aliceDevice() {
  const token = emu.issueTokens('alice@example.com').access_token;
  const deviceUrl = await createWdmDevice(emu, token);
  const wdm = (await (
    await fetch(deviceUrl, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { webSocketUrl: string };
  return { token, deviceUrl, webSocketUrl: wdm.webSocketUrl };
}

async function connected() {
  const device = await aliceDevice();
  const client = await TestMercury.connect(device.webSocketUrl, device.token);
  clients.push(client);
  return { ...device, client };
}

const reasons = () => emu.deviations().map((d) => d.reason);

describe('Mercury (§1)', () => {
  it('gives the WDM device a webSocketUrl of the §1.2 shape on this emulator', async () => {
    const { webSocketUrl, deviceUrl } = await aliceDevice();
    const id = deviceUrl.split('/').pop();
    expect(webSocketUrl).toBe(
      `${emu.urls.base.replace('http', 'ws')}/mercury/v1/apps/wx2/registrations/${id}/messages`,
    );
  });

  it('authorizes, sends buffer_state, answers pings with the same id, and takes acks', async () => {
    const { client } = await connected();
    const buffer = await client.event('mercury.buffer_state');
    expect(buffer.type).toBeUndefined();
    expect(typeof buffer.id).toBe('string');
    client.send({ id: 'ping-1', type: 'ping' });
    expect(await client.next((f) => f.type === 'pong')).toEqual({ type: 'pong', id: 'ping-1' });
    // Frames are handled in order: once ping-2 is answered, the acks sent before it counted.
    client.send({ id: 'ping-2', type: 'ping' });
    await client.next((f) => f.id === 'ping-2');
    const [socket] = emu.mercury.sockets();
    expect(socket?.authorized).toBe(true);
    expect(socket?.acks).toBe(2);
    expect(socket?.unacked).toMatchObject({ buffer_state: 0, event: 0 });
    expect(reasons()).toEqual([]);
  });

  it('pushes the §1.6 envelope with an id and a growing sequenceNumber', async () => {
    const { client } = await connected();
    const alice = emu.users.find((u) => u.email === 'alice@example.com')?.id ?? '';
    expect(emu.mercury.push(alice, { eventType: 'mobius.call', callId: 'c1' })).toBe(1);
    expect(emu.mercury.push(alice, { eventType: 'mobius.media', callId: 'c1' })).toBe(1);
    const first = await client.event('mobius.call');
    const second = await client.event('mobius.media');
    expect(first).toMatchObject({
      id: expect.any(String),
      data: { eventType: 'mobius.call', callId: 'c1' },
      timestamp: expect.any(Number),
      trackingId: expect.stringMatching(/^ROUTER_/),
      alertType: 'full',
      headers: {},
      filterMessage: false,
    });
    expect(second.sequenceNumber).toBe((first.sequenceNumber as number) + 1);
  });

  it('closes 4401 for an invalid token, and records a non-Bearer token as a deviation', async () => {
    const { webSocketUrl, token } = await aliceDevice();
    const bad = await TestMercury.open(webSocketUrl);
    clients.push(bad);
    bad.authorize('not-a-token');
    expect((await bad.whenClosed()).code).toBe(4401);
    expect(reasons()).toEqual([]);
    const basic = await TestMercury.open(webSocketUrl);
    clients.push(basic);
    basic.authorize(token, 'Basic');
    expect((await basic.whenClosed()).code).toBe(4401);
    expect(reasons()).toEqual(['authorization data.token is not "Bearer <access token>"']);
  });

  it("closes 4403 for another user's token on this device (a deviation)", async () => {
    const { webSocketUrl } = await aliceDevice();
    const dave = emu.issueTokens('dave@example.com').access_token;
    const client = await TestMercury.open(webSocketUrl);
    clients.push(client);
    client.authorize(dave);
    expect((await client.whenClosed()).code).toBe(4403);
    expect(reasons()).toEqual(["authorization token is not the WDM device owner's"]);
  });

  it('records frames before authorization, unknown types, non-JSON, and acks for unknown ids', async () => {
    const { webSocketUrl, token } = await aliceDevice();
    const client = await TestMercury.open(webSocketUrl);
    clients.push(client);
    client.send({ id: 'p', type: 'ping' });
    client.ws.send('not json');
    client.authorize(token);
    await client.event('mercury.buffer_state');
    client.send({ messageId: 'never-sent', type: 'ack' });
    client.send({ id: 'x', type: 'subscribe' });
    client.send({ id: 'p2', type: 'ping' });
    await client.next((f) => f.type === 'pong');
    expect(reasons()).toEqual([
      'Mercury "ping" frame before authorization',
      'Mercury frame that is not a JSON object in a text frame',
      'ack for an unknown or already acked id "never-sent"',
      'Mercury frame of unknown type "subscribe"',
    ]);
  });

  it('records a URL without the SDK query, and refuses an unknown device path', async () => {
    const { webSocketUrl, token } = await aliceDevice();
    const bare = await TestMercury.open(webSocketUrl, '');
    clients.push(bare);
    bare.authorize(token);
    await bare.event('mercury.buffer_state');
    expect(reasons()).toEqual([
      'Mercury URL without outboundWireFormat=text',
      'Mercury URL without bufferStates=true',
    ]);
    await expect(
      TestMercury.open(webSocketUrl.replace(/registrations\/[^/]+/, 'registrations/nope')),
    ).rejects.toThrow(/404/);
  });

  it.each([
    [4401, 4401],
    [4000, 4000],
    [1006, 1006],
  ])('fault: close %i reaches the client as %i', async (code, seen) => {
    const { client } = await connected();
    expect(emu.mercury.fault({ action: 'close', code })).toBe(1);
    expect((await client.whenClosed()).code).toBe(seen);
  });

  it('fault: missing pongs leaves that many pings unanswered', async () => {
    const { client } = await connected();
    emu.mercury.fault({ action: 'missingPongs', count: 1 });
    client.send({ id: 'lost', type: 'ping' });
    client.send({ id: 'answered', type: 'ping' });
    const pong = await client.next((f) => f.type === 'pong');
    expect(pong.id).toBe('answered');
    expect(client.frames.some((f) => f.type === 'pong' && f.id === 'lost')).toBe(false);
  });

  it('fault: shutdown, then the replacing socket makes the server close the old one with 4001', async () => {
    const { client, webSocketUrl, token } = await connected();
    emu.mercury.fault({ action: 'shutdown' });
    await client.next((f) => f.type === 'shutdown');
    const replacement = await TestMercury.connect(webSocketUrl, token);
    clients.push(replacement);
    expect((await client.whenClosed()).code).toBe(4001);
    expect(replacement.closed).toBeUndefined();
  });
});
