import { authenticate } from './auth';
import { restError } from './errors';
import {
  emptyReply,
  isObject,
  jsonReply,
  parseJsonBody,
  type Reply,
  type RequestContext,
} from './http';
import { isoMillis } from './ids';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';
import { ORG_UUID } from './users';
import type { WdmDevice, WdmDeviceFields } from './wdm-store';

/** deviceType values WDM knows for clients (the SDK sends WEB). */
const DEVICE_TYPES = new Set(['WEB', 'DESKTOP', 'UC', 'ANDROID', 'IPHONE', 'IPAD', 'TEAMS_SDK_JS']);

/** What the SDK sends by default (mobius-registration.md §3.2); missing fields get these. */
const SDK_DEFAULTS: Omit<WdmDeviceFields, 'deviceType'> = {
  name: 'browser',
  model: 'web-js-sdk',
  localizedModel: 'webex-js-sdk',
  systemName: 'WEBEX_JS_SDK',
  systemVersion: '1.0.0',
};

/** §1.2: the Mercury URL of a WDM device (ws:// here; production uses wss://). */
export function webSocketUrl(state: EmulatorState, device: WdmDevice): string {
  return `${state.urls.base.replace(/^http/, 'ws')}/mercury/v1/apps/wx2/registrations/${device.id}/messages`;
}

export function wdmView(state: EmulatorState, device: WdmDevice) {
  return {
    url: device.url,
    webSocketUrl: webSocketUrl(state, device),
    userId: device.userId,
    orgId: ORG_UUID,
    deviceType: device.deviceType,
    name: device.name,
    model: device.model,
    localizedModel: device.localizedModel,
    systemName: device.systemName,
    systemVersion: device.systemVersion,
    creationTime: isoMillis(device.createdAt),
    modificationTime: isoMillis(device.modifiedAt),
  };
}

/** WDM: POST /wdm/api/v1/devices, then GET/PUT/DELETE by id for the owner only. */
export function wdmRoutes(state: EmulatorState): Route[] {
  const byId = /^\/wdm\/api\/v1\/devices\/([^/]+)$/;
  const route = (method: string, pattern: RegExp, handle: Route['handle']): Route => ({
    method,
    pattern,
    servers: BASE_ONLY,
    kind: 'api',
    endpoint: 'wdm',
    handle,
  });
  return [
    route('POST', /^\/wdm\/api\/v1\/devices$/, (ctx) => create(ctx, state)),
    route('GET', byId, (ctx) =>
      withOwnDevice(ctx, state, (d) => jsonReply(200, wdmView(state, d))),
    ),
    route('PUT', byId, (ctx) =>
      withOwnDevice(ctx, state, (d) => {
        d.modifiedAt = state.now();
        return jsonReply(200, wdmView(state, d));
      }),
    ),
    route('DELETE', byId, (ctx) =>
      withOwnDevice(ctx, state, (d) => {
        state.wdm.delete(d.id);
        return emptyReply(204);
      }),
    ),
  ];
}

function create(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticate(ctx, state);
  if (!auth.ok) return auth.reply;
  const parsed = parseJsonBody(ctx);
  if (!parsed.ok) {
    ctx.deviate(`wdm: ${parsed.problem}`);
    return restError(ctx, 400, parsed.problem);
  }
  const body = parsed.value;
  if (!isObject(body)) {
    ctx.deviate('wdm: body is not a JSON object');
    return restError(ctx, 400, 'The device body must be a JSON object.');
  }
  if (typeof body.deviceType !== 'string' || !DEVICE_TYPES.has(body.deviceType)) {
    ctx.deviate(`wdm: bad deviceType ${JSON.stringify(body.deviceType)}`);
    return restError(ctx, 400, 'deviceType is missing or not a known device type.');
  }
  const fields: WdmDeviceFields = { deviceType: body.deviceType, ...SDK_DEFAULTS };
  for (const key of Object.keys(SDK_DEFAULTS) as Array<keyof typeof SDK_DEFAULTS>) {
    const value = body[key];
    if (typeof value === 'string' && value) fields[key] = value;
    else ctx.deviate(`wdm: ${key} missing or not a string`);
  }
  const device = state.wdm.create(auth.user.id, fields, state.now());
  return jsonReply(200, wdmView(state, device));
}

function withOwnDevice(
  ctx: RequestContext,
  state: EmulatorState,
  act: (device: WdmDevice) => Reply,
): Reply {
  const auth = authenticate(ctx, state);
  if (!auth.ok) return auth.reply;
  const device = state.wdm.get(ctx.params[0] ?? '');
  // Someone else's device is as invisible as a missing one (a missing one is normal life).
  if (!device || device.userId !== auth.user.id) {
    if (device) ctx.deviate("wdm: another user's device");
    return restError(ctx, 404, 'Device not found.');
  }
  return act(device);
}
