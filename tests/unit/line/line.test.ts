import { describe, expect, it, vi } from 'vitest';
import { CallingClient, Line, lineProperties } from '../../../lib/line/line';
import { type EngineRecord, emptyRecord } from '../../../lib/line/record';
import type { PeopleMe } from '../../../lib/webex/people';

const people: PeopleMe = {
  userId: 'u1',
  displayName: 'Ada',
  email: 'ada@x',
  phoneNumber: '+1 555',
  extension: '100',
  sipAddresses: [],
};

function registeredRecord(): EngineRecord {
  return {
    ...emptyRecord(),
    state: 'active',
    device: {
      serverUrl: 'https://m/api/v1/calling/web/',
      role: 'primary',
      deviceId: 'd1',
      uri: 'https://m/api/v1/calling/web/devices/d1',
      clientDeviceUri: 'https://wdm/d',
      lastSeen: '2026-01-01T00:00:00Z',
      addresses: ['sip:a@b'],
      keepaliveInterval: 30,
      callKeepaliveInterval: 60,
      rehomingIntervalMin: 90,
      rehomingIntervalMax: 180,
      voicePortalNumber: 5000,
      voicePortalExtension: 5001,
    },
  };
}

describe('lineProperties', () => {
  it('has exactly the seed 14 properties, from Mobius and people/me', () => {
    const props = lineProperties('line-1', registeredRecord(), people);
    expect(props).toEqual({
      lineId: 'line-1',
      mobiusDeviceId: 'd1',
      phoneNumber: '+1 555',
      extension: '100',
      status: 'active',
      sipAddresses: ['sip:a@b'],
      voicemail: '5000',
      lastSeen: '2026-01-01T00:00:00Z',
      keepaliveInterval: 30,
      callKeepaliveInterval: 60,
      rehomingIntervalMin: 90,
      rehomingIntervalMax: 180,
      voicePortalNumber: 5000,
      voicePortalExtension: 5001,
    });
    expect(Object.keys(props)).toHaveLength(14);
  });

  it('starts inactive, and is IDLE after a user deregistration', () => {
    expect(lineProperties('l', emptyRecord(), undefined)).toMatchObject({
      status: 'inactive',
      sipAddresses: [],
      mobiusDeviceId: undefined,
    });
    expect(lineProperties('l', { ...emptyRecord(), deregistered: true }, undefined).status).toBe(
      'IDLE',
    );
    expect(lineProperties('l', { ...registeredRecord(), state: 'inactive' }, people)).toMatchObject(
      { status: 'inactive', mobiusDeviceId: undefined },
    );
  });
});

describe('Line and CallingClient', () => {
  it('register and deregister return undefined at once and start the work', () => {
    const control = { register: vi.fn(), deregister: vi.fn() };
    const line = new Line(control);
    expect(line.register()).toBeUndefined();
    expect(line.deregister()).toBeUndefined();
    expect(control.register).toHaveBeenCalledOnce();
    expect(control.deregister).toHaveBeenCalledOnce();
  });

  it('delivers registered with the line, error with the payload, others without payload', () => {
    const line = new Line(
      { register() {}, deregister() {} },
      lineProperties('l1', registeredRecord(), people),
    );
    const seen: unknown[] = [];
    line.on('registered', (l) => seen.push(l.mobiusDeviceId));
    line.on('error', (e) => seen.push(e.msg));
    const connecting = vi.fn();
    line.on('connecting', connecting);
    line.emit('registered');
    line.emit('error', { status: 'inactive', type: 'tokenError', msg: 'x' });
    line.emit('connecting');
    expect(seen).toEqual(['d1', 'x']);
    expect(connecting).toHaveBeenCalledWith(undefined);
    line.off('connecting', connecting);
    line.emit('connecting');
    expect(connecting).toHaveBeenCalledOnce();
  });

  it('survives a throwing listener', () => {
    const line = new Line({ register() {}, deregister() {} });
    const after = vi.fn();
    line.on('unregistered', () => {
      throw new Error('boom');
    });
    line.on('unregistered', after);
    line.emit('unregistered');
    expect(after).toHaveBeenCalled();
  });

  it('getLines is keyed by lineId', () => {
    const line = new Line(
      { register() {}, deregister() {} },
      lineProperties('l1', emptyRecord(), undefined),
    );
    const lines = new CallingClient(line).getLines();
    expect(Object.keys(lines)).toEqual(['l1']);
    expect(lines.l1).toBe(line);
    expect(JSON.parse(JSON.stringify(line)).status).toBe('inactive');
  });
});
