import { authenticate } from './auth';
import { restError } from './errors';
import {
  emptyReply,
  header,
  isObject,
  jsonReply,
  parseJsonBody,
  type Reply,
  type RequestContext,
} from './http';
import { isoSeconds } from './ids';
import { goneReply, keepaliveTooSoon } from './mobius-rules';
import type { MobiusDevice } from './mobius-store';
import { ALL_SERVERS, MOBIUS_SERVERS, type Route } from './router';
import { type EmulatorState, SIP_DOMAIN } from './state';
import type { MobiusServerName } from './types';
import type { TestUser } from './users';

export const CALLING_USER_AGENT = 'webex-calling/beta';
const SERVICE_INDICATORS = new Set(['calling', 'contactcenter', 'guestcalling']);
const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;

/** §5 device object; seeded "other browser" devices report a fresh lastSeen. */
export function deviceView(state: EmulatorState, device: MobiusDevice) {
  const lastSeen = device.keptAliveElsewhere ? state.now() : device.lastSeen;
  return {
    deviceId: device.deviceId,
    uri: deviceUri(state, device),
    status: 'active',
    lastSeen: isoSeconds(lastSeen),
    addresses: [...device.addresses],
    clientDeviceUri: device.clientDeviceUri,
  };
}

export function deviceUri(state: EmulatorState, device: MobiusDevice): string {
  return `${state.mobiusApiUrl(device.server)}/calling/web/devices/${device.deviceId}`;
}

export function mobiusRoutes(state: EmulatorState): Route[] {
  const devicePath = '^\\/api\\/v1\\/calling\\/web\\/devices';
  const route = (
    method: string,
    pattern: RegExp,
    endpoint: Route['endpoint'],
    handle: Route['handle'],
    servers = MOBIUS_SERVERS,
  ): Route => ({ method, pattern, servers, kind: 'api', endpoint, handle });
  return [
    // Discovery also answers on B (catalog serviceLinks.mobius may point anywhere).
    route(
      'GET',
      /^\/api\/v1\/calling\/web\/$/,
      'discovery',
      (c) => discovery(c, state),
      ALL_SERVERS,
    ),
    route('POST', /^\/api\/v1\/calling\/web\/device$/, 'register', (c) => register(c, state)),
    {
      ...route('POST', new RegExp(`${devicePath}\\/([^/]+)\\/status$`), 'keepalive', (c) =>
        keepalive(c, state),
      ),
      // An injected 404 is Mobius having lost the registration: the device really is gone, so
      // "keepalive 404, then register again" takes the path production takes.
      // Likewise an injected 409 is the session superseded (mobius-registration.md §13): Mobius
      // ended the device, so a client that registers again is not refused for the old one,
      // and a keepalive for it after the 409 is the deviation the tombstone rule reports.
      onFaultAnswer: (c, status) => {
        const ended = status === 404 ? 'removed' : status === 409 ? 'superseded' : null;
        if (ended) state.mobius.end(c.params[0] ?? '', ended, state.now(), true);
      },
    },
    route('DELETE', new RegExp(`${devicePath}\\/([^/]+)$`), 'deregister', (c) =>
      deregister(c, state),
    ),
    route('GET', new RegExp(`${devicePath}$`), 'devices', (c) => listDevices(c, state)),
    route('GET', /^\/api\/v1\/ping$/, 'ping', (c) => ping(c, state)),
  ];
}

/**
 * Every Mobius call: Bearer with spark:webrtc_calling, then the SDK's headers (§2). `deleting`:
 * a DELETE names the device's own clientDeviceUri (§8), whose WDM device may be gone by then.
 */
export function authenticateMobius(ctx: RequestContext, state: EmulatorState, deleting = false) {
  // A token without spark:webrtc_calling gets 401 (unconfirmed; 401 makes the SDK stop with
  // token_error, which is the right remedy: sign in again with the calling scopes).
  const auth = authenticate(ctx, state, { scope: 'spark:webrtc_calling', missingScopeStatus: 401 });
  if (auth.ok) checkCallingHeaders(ctx, state, auth.user, deleting);
  return auth;
}

function checkCallingHeaders(
  ctx: RequestContext,
  state: EmulatorState,
  user?: TestUser,
  deleting = false,
): void {
  const agent = header(ctx, 'spark-user-agent');
  if (agent === undefined) ctx.deviate('missing spark-user-agent header');
  else if (agent !== CALLING_USER_AGENT) {
    ctx.deviate(`spark-user-agent is "${agent}", expected "${CALLING_USER_AGENT}"`);
  }
  const deviceUrl = header(ctx, 'cisco-device-url');
  if (deviceUrl === undefined) ctx.deviate('missing cisco-device-url header');
  else if (user && state.config.validateClientDeviceUri) {
    const wdm = state.wdm.byUrl(deviceUrl);
    // mobius-registration.md §8: a DELETE carries `cisco-device-url: device.clientDeviceUri`,
    // the WDM device the registration was made with. A client deleting a leftover registration
    // of an earlier sign-in (whose WDM device it deleted at sign-out) sends exactly that.
    const retired = deleting && state.wdm.retiredOwner(deviceUrl) === user.id;
    if ((!wdm || wdm.userId !== user.id) && !retired) {
      ctx.deviate('cisco-device-url is not a WDM device URL of this user');
    }
  }
}

function discovery(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticateMobius(ctx, state);
  if (!auth.ok) return auth.reply;
  const q = ctx.url.searchParams;
  const regionCode = q.get('regionCode');
  const countryCode = q.get('countryCode');
  if (regionCode === null || countryCode === null) {
    ctx.deviate('discovery: regionCode and countryCode query parameters are required');
    return restError(ctx, 400, 'regionCode and countryCode are required.');
  }
  if (!regionCode || !countryCode) ctx.deviate('discovery: empty regionCode or countryCode');
  return jsonReply(200, {
    primary: { region: 'US-EAST', uris: [state.urls.mobiusPrimaryApi] },
    backup: { region: 'US-WEST', uris: [state.urls.mobiusBackupApi] },
  });
}

function register(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticateMobius(ctx, state);
  if (!auth.ok) return auth.reply;
  const { user } = auth;
  const body = validateRegistration(ctx, state, user);
  if ('status' in body) return body;

  if (!user.callingEnabled) return jsonReply(403, { userId: user.id, errorCode: 102 });

  const liveness = state.liveness();
  let mine = state.mobius.list(liveness, user.id);
  // The same browser registering again while its device lives: 101 listing that device (Mobius
  // uses 101 for "already registered" too; unconfirmed shape). The SDK's restore then deletes it
  // and registers afresh.
  const same = mine.find((d) => d.clientDeviceUri === body.clientDeviceUri);
  if (same) {
    return jsonReply(403, { userId: user.id, errorCode: 101, devices: [deviceView(state, same)] });
  }
  if (state.config.supersedeOlderDevices) {
    // §13 (main branch): the newest registration of a user wins; the older ones answer 409.
    for (const older of mine) state.mobius.end(older.deviceId, 'superseded', state.now());
    mine = [];
  }
  if (mine.length >= state.config.deviceLimit) {
    return jsonReply(403, {
      userId: user.id,
      errorCode: 101,
      devices: mine.map((d) => deviceView(state, d)),
    });
  }

  const now = state.now();
  const device = state.mobius.create({
    userId: user.id,
    server: ctx.server as MobiusServerName,
    clientDeviceUri: body.clientDeviceUri,
    createdAt: now,
    keepaliveIntervalSec: state.config.keepaliveIntervalSec,
    keptAliveElsewhere: false,
    sipDomain: SIP_DOMAIN,
  });
  const c = state.config;
  const told = c.registrationAnswer ?? {};
  if (told.keepaliveInterval !== undefined) {
    device.announcedKeepaliveIntervalSec = told.keepaliveInterval;
  }
  return jsonReply(200, {
    userId: user.id,
    device: deviceView(state, device),
    keepaliveInterval: c.keepaliveIntervalSec,
    callKeepaliveInterval: c.callKeepaliveInterval,
    rehomingIntervalMin: c.rehomingIntervalMin,
    rehomingIntervalMax: c.rehomingIntervalMax,
    voicePortalNumber: 5000,
    voicePortalExtension: 5000,
    ...told,
  });
}

/** The §4 body; anything wrong is a 400 (the SDK's final bad_request). */
function validateRegistration(
  ctx: RequestContext,
  state: EmulatorState,
  user: TestUser,
): { clientDeviceUri: string } | Reply {
  const bad = (problem: string): Reply => {
    ctx.deviate(`register: ${problem}`);
    return restError(ctx, 400, problem);
  };
  const parsed = parseJsonBody(ctx);
  if (!parsed.ok) return bad(parsed.problem);
  const body = parsed.value;
  if (!isObject(body)) return bad('body must be a JSON object');
  if (typeof body.userId !== 'string' || !body.userId) return bad('userId is missing');
  if (body.userId !== user.id) return bad("userId is not the access token's user");
  if (typeof body.clientDeviceUri !== 'string' || !body.clientDeviceUri) {
    return bad('clientDeviceUri is missing');
  }
  if (state.config.validateClientDeviceUri) {
    const wdm = state.wdm.byUrl(body.clientDeviceUri);
    if (!wdm || wdm.userId !== user.id) {
      return bad('clientDeviceUri is not a WDM device URL issued to this user');
    }
  }
  if (header(ctx, 'cisco-device-url') !== body.clientDeviceUri) {
    ctx.deviate('register: cisco-device-url header differs from body clientDeviceUri');
  }
  const serviceData = body.serviceData;
  if (!isObject(serviceData)) return bad('serviceData is missing');
  const indicator = serviceData.indicator;
  if (typeof indicator !== 'string' || !SERVICE_INDICATORS.has(indicator)) {
    return bad('serviceData.indicator must be calling, contactcenter or guestcalling');
  }
  if (typeof serviceData.domain !== 'string') return bad('serviceData.domain is missing');
  if (indicator === 'contactcenter' && !HOSTNAME.test(serviceData.domain)) {
    return bad('serviceData.domain must be a hostname for contactcenter');
  }
  if (indicator === 'guestcalling' && typeof serviceData.jwe !== 'string') {
    return bad('serviceData.jwe is required for guestcalling');
  }
  return { clientDeviceUri: body.clientDeviceUri };
}

/**
 * A device this server hosts for this user. Unknown or expired: plain 404 (normal life). Another
 * user's device, or one that lives on the other listener: 404 and a deviation.
 */
export function ownDeviceHere(
  ctx: RequestContext,
  state: EmulatorState,
  user: TestUser,
  action: string,
): MobiusDevice | Reply {
  const deviceId = ctx.params[0] ?? '';
  const device = state.mobius.live(deviceId, state.liveness());
  const notFound = () => restError(ctx, 404, 'Device not found.');
  if (!device) return goneReply(ctx, state, deviceId, action);
  if (device.userId !== user.id) {
    ctx.deviate(`${action}: device belongs to another user`);
    return notFound();
  }
  if (device.server !== ctx.server) {
    ctx.deviate(`${action}: sent to ${ctx.server}, but the device lives on ${device.server}`);
    return notFound();
  }
  return device;
}

function keepalive(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticateMobius(ctx, state);
  if (!auth.ok) return auth.reply;
  const device = ownDeviceHere(ctx, state, auth.user, 'keepalive');
  if ('status' in device) return device;
  const limited = keepaliveTooSoon(ctx, state, device);
  if (limited) return limited;
  device.lastSeen = state.now();
  // Body unconfirmed and ignored by the SDK (any 2xx is success): send none.
  return emptyReply(200);
}

function deregister(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticateMobius(ctx, state, true);
  if (!auth.ok) return auth.reply;
  const device = ownDeviceHere(ctx, state, auth.user, 'deregister');
  if ('status' in device) return device;
  if (header(ctx, 'cisco-device-url') !== device.clientDeviceUri) {
    ctx.deviate("deregister: cisco-device-url differs from the device's clientDeviceUri");
  }
  const view = deviceView(state, device);
  state.mobius.end(device.deviceId, 'deleted', state.now());
  return jsonReply(200, { userId: auth.user.id, device: view });
}

function listDevices(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticateMobius(ctx, state);
  if (!auth.ok) return auth.reply;
  const userid = ctx.url.searchParams.get('userid');
  if (!userid) {
    ctx.deviate('devices: userid query parameter is missing');
    return restError(ctx, 400, 'userid is required.');
  }
  if (userid !== auth.user.id) {
    ctx.deviate("devices: userid is not the access token's user");
    return restError(ctx, 403, "Only the token's own devices can be listed.");
  }
  const devices = state.mobius.list(state.liveness(), userid).map((d) => deviceView(state, d));
  return jsonReply(200, { userId: userid, devices });
}

/** Health check (failback). Authorization is not checked; the headers are (the SDK sends them). */
function ping(ctx: RequestContext, state: EmulatorState): Reply {
  checkCallingHeaders(ctx, state);
  return emptyReply(200);
}
