import { escapeHtml, page } from './html';
import { htmlReply } from './http';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';

/**
 * The click-to-register demo. Inline script is fine here: this is an ordinary web page, not the
 * extension. It shows the button's data-webex-line-status attribute and every
 * `webex-line:status` event the extension's content script dispatches; and, for click to call,
 * a tel: link and a `data-webex-line="call"` button with every `webex-line:call` event.
 */
const SCRIPT = `
(() => {
  const button = document.querySelector('[data-webex-line="register"]');
  const attr = document.getElementById('status-attribute');
  const list = document.getElementById('events');
  const NOT_SET = '(not set: is the extension installed and enabled for this site?)';
  const showAttribute = () => {
    attr.textContent = button.getAttribute('data-webex-line-status') || NOT_SET;
  };
  new MutationObserver(showAttribute).observe(button, {
    attributes: true,
    attributeFilter: ['data-webex-line-status'],
  });
  showAttribute();
  document.addEventListener('webex-line:status', (event) => {
    let detail = event.detail;
    if (typeof detail === 'string') {
      try { detail = JSON.parse(detail); } catch (_) { detail = { status: detail, error: null }; }
    }
    detail = detail || {};
    const item = document.createElement('li');
    const error = detail.error ? ' (' + detail.error.type + ': ' + detail.error.msg + ')' : '';
    item.textContent = new Date().toLocaleTimeString() + ' ' + detail.status + error;
    list.prepend(item);
  });

  // Click to call: the state of the call this page asked for, as the page learns it.
  const callEvents = document.getElementById('call-events');
  document.addEventListener('webex-line:call', (event) => {
    const item = document.createElement('li');
    item.textContent = new Date().toLocaleTimeString() + ' ' + ((event.detail || {}).state || '?');
    callEvents.prepend(item);
  });

  // "Call me": the admin API (same origin) rings the chosen user's line from a named caller.
  const callForm = document.getElementById('call-me');
  const callStatus = document.getElementById('call-status');
  const hangUp = document.getElementById('caller-hangup');
  let lastCall = null;
  const show = (text) => { callStatus.textContent = text; };
  callForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(callForm);
    show('Ringing…');
    const res = await fetch('/_emulator/calls', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: data.get('email'),
        callerName: data.get('callerName'),
        callerNumber: data.get('callerNumber'),
      }),
    });
    const body = await res.json();
    if (res.status !== 201) {
      show('Cannot ring: ' + ((body.errors && body.errors[0] && body.errors[0].description) || res.status));
      return;
    }
    lastCall = body.callId;
    hangUp.disabled = false;
    show('Ringing ' + data.get('email') + ' from ' + body.caller.name + ' (call ' + body.callId + ')');
  });
  hangUp.addEventListener('click', async () => {
    if (!lastCall) return;
    const res = await fetch('/_emulator/calls/' + encodeURIComponent(lastCall) + '/hangup', { method: 'POST' });
    hangUp.disabled = true;
    show(res.ok ? 'The caller hung up.' : 'The call had already ended.');
  });
})();
`;

export function demoPage(origin: string): string {
  return page(
    'Webex line demo (click-to-register)',
    `<h1>Webex line: click-to-register demo</h1>
<p>This page stands for a CRM or help-desk tool. The Webex Line extension adds behaviour to the
button below only when <strong>this site (<code>${escapeHtml(origin)}</code>) is enabled</strong>
in the extension's options (development builds enable it by default). Without the extension the
button does nothing.</p>
<p><button type="button" data-webex-line="register">Register my Webex line</button></p>
<p>Button status attribute (<code>data-webex-line-status</code>):
<output id="status-attribute" aria-live="polite"></output></p>
<h2>Status events (<code>webex-line:status</code>)</h2>
<ol id="events" aria-live="polite"></ol>
<h2>Click to call</h2>
<p>A click on a phone number asks the extension to call it. The extension asks you in a small
window of its own, showing the number and this site; only Call there dials. This page learns
only the state of that call (<code>data-webex-line-call</code> on the control, and
<code>webex-line:call</code> events).</p>
<p>Support line: <a href="tel:+14085550123">+1 408 555 0123</a></p>
<p><button type="button" class="secondary" data-webex-line="call" data-number="+1 408 555 0199">Call sales: +1 408 555 0199</button></p>
<h3>Call events (<code>webex-line:call</code>)</h3>
<ol id="call-events" aria-live="polite"></ol>
<h2>Call me</h2>
<p>Rings the line of a signed-in, registered user whose extension is connected to Mercury. The
caller plays a 1 kHz tone.</p>
<form id="call-me">
<p><label>User <select name="email"><option>alice@example.com</option><option>dave@example.com</option></select></label>
<label>Caller <input name="callerName" value="Bob Marley"></label>
<label>Number <input name="callerNumber" value="+12142865895"></label></p>
<p><button type="submit">Call me</button>
<button type="button" class="secondary" id="caller-hangup" disabled>Caller hangs up</button></p>
</form>
<p><output id="call-status" aria-live="polite"></output></p>`,
    SCRIPT,
  );
}

export function demoRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/demo\/?$/,
      servers: BASE_ONLY,
      kind: 'api',
      browserPage: true,
      handle: () => htmlReply(200, demoPage(state.urls.base)),
    },
    {
      method: 'GET',
      pattern: /^\/$/,
      servers: BASE_ONLY,
      kind: 'quiet',
      handle: () =>
        htmlReply(
          200,
          page(
            'Webex Calling emulator',
            `<h1>Webex Calling emulator</h1>
<ul><li><a href="/demo">Click-to-register demo page</a></li>
<li><a href="/_emulator/">Admin API</a></li></ul>`,
          ),
        ),
    },
  ];
}
