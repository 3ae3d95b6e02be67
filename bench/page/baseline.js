/**
 * The bare baseline of measure 1: an extension page in the same browser making the
 * extension's registration requests with plain fetch, in the same order and with the same
 * headers as lib/webex (the bench checks the sequence against the emulator's log in every run).
 * Cold: U2C catalog, WDM device, region, Mobius discovery, register. Warm: register again with
 * the cold run's answers. No caching layer, no schema checks, no engine, no messaging.
 */
const CALLING_USER_AGENT = 'webex-calling/beta';
const WDM_DEVICE_BODY = {
  name: 'browser',
  deviceType: 'WEB',
  model: 'web-js-sdk',
  localizedModel: 'webex-js-sdk',
  systemName: 'WEBEX_JS_SDK',
  systemVersion: '1.0.0',
};

const state = { baseUrl: '', token: '', mode: 'cold', known: null, device: null };
const statusText = document.getElementById('status');

async function call(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method} ${url}: HTTP ${response.status} ${text}`);
  return text.trim() === '' ? undefined : JSON.parse(text);
}

async function discover() {
  const authorization = `Bearer ${state.token}`;
  const catalog = await call(`${state.baseUrl}/u2c/api/v1/catalog?format=hostmap`, {
    method: 'GET',
    headers: { authorization, accept: 'application/json' },
  });
  const wdm = await call(`${catalog.serviceLinks.wdm.replace(/\/+$/, '')}/devices`, {
    method: 'POST',
    headers: { authorization, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(WDM_DEVICE_BODY),
  });
  const region = await call(`${state.baseUrl}/v1/region`, {
    method: 'GET',
    headers: { accept: 'application/json' },
  });
  const query = new URLSearchParams({
    regionCode: region.clientRegion,
    countryCode: region.countryCode,
  });
  const base = catalog.serviceLinks.mobius.replace(/\/+$/, '');
  const servers = await call(`${base}/calling/web/?${query}`, {
    method: 'GET',
    headers: {
      authorization,
      'cisco-device-url': wdm.url,
      'spark-user-agent': CALLING_USER_AGENT,
      accept: 'application/json',
    },
  });
  const primary = `${servers.primary.uris[0].replace(/\/+$/, '')}/calling/web/`;
  return { authorization, wdm, serverUrl: primary };
}

function mobiusHeaders(known) {
  return {
    authorization: known.authorization,
    'cisco-device-url': known.wdm.url,
    'spark-user-agent': CALLING_USER_AGENT,
    trackingid: `webex-line-bench_${crypto.randomUUID()}`,
  };
}

async function register(known) {
  const answer = await call(`${known.serverUrl}device`, {
    method: 'POST',
    headers: {
      ...mobiusHeaders(known),
      accept: 'application/json',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      userId: known.wdm.userId,
      clientDeviceUri: known.wdm.url,
      serviceData: { indicator: 'calling', domain: '' },
    }),
  });
  return answer.device;
}

document.getElementById('register').addEventListener('click', async () => {
  statusText.textContent = 'Connecting';
  try {
    if (state.mode === 'cold' || !state.known) state.known = await discover();
    state.device = await register(state.known);
    statusText.textContent = 'Registered';
  } catch (error) {
    statusText.textContent = `Error: ${error.message}`;
  }
});

globalThis.baseline = {
  configure({ baseUrl, token, mode }) {
    Object.assign(state, { baseUrl, token, mode });
    if (mode === 'cold') state.known = null;
  },
  /** DELETE the Mobius device (not timed). */
  async deregister() {
    if (state.device && state.known) {
      await call(`${state.known.serverUrl}devices/${encodeURIComponent(state.device.deviceId)}`, {
        method: 'DELETE',
        headers: mobiusHeaders(state.known),
      });
    }
    state.device = null;
    statusText.textContent = 'Not registered';
  },
  /** DELETE the WDM device, as the extension's sign-out does (not timed). */
  async forgetWdm() {
    if (state.known) {
      await call(state.known.wdm.url, {
        method: 'DELETE',
        headers: { authorization: state.known.authorization },
      });
    }
    state.known = null;
  },
  /** Measure 6: record the background's status broadcasts on the extension's status port. */
  listenStatus() {
    const log = [];
    const port = chrome.runtime.connect({ name: 'status' });
    port.onMessage.addListener((message) => {
      log.push({
        at: Date.now(),
        display: message?.snapshot?.display,
        snapshotAt: message?.snapshot?.at,
      });
    });
    globalThis.baseline.statusPort = { port, log };
  },
  /** The background's time (snapshot.at) of the first broadcast showing `display` at or after `since`. */
  broadcastAt(display, since) {
    const log = globalThis.baseline.statusPort?.log ?? [];
    const entry = log.find((e) => e.display === display && e.at >= since);
    return entry ? entry.snapshotAt : null;
  },
  stopListening() {
    globalThis.baseline.statusPort?.port.disconnect();
    globalThis.baseline.statusPort = undefined;
  },
};
