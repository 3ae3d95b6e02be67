import { escapeHtml, page } from './html';
import { htmlReply } from './http';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';

/**
 * The click-to-register demo. Inline script is fine here: this is an ordinary web page, not the
 * extension. It shows the button's data-webex-line-status attribute and every
 * `webex-line:status` event the extension's content script dispatches.
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
<ol id="events" aria-live="polite"></ol>`,
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
