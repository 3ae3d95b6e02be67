import { ENDPOINT_NAMES } from './faults';
import { escapeHtml, page } from './html';
import type { EmulatorUrls } from './types';

const ROWS: Array<[string, string, string]> = [
  ['GET', '/_emulator/config', 'Current config'],
  ['POST', '/_emulator/config', 'Change config: {"keepaliveIntervalSec": 5, ...}'],
  [
    'POST',
    '/_emulator/faults',
    '{endpoint, count?, status?, body?, headers?, retryAfter?, delayMs?, reset?, stall?, stallAfterBytes?, malform?, server?} (429 needs retryAfter)',
  ],
  ['GET', '/_emulator/faults', 'Pending faults'],
  ['DELETE', '/_emulator/faults', 'Clear faults'],
  ['GET', '/_emulator/servers', 'Which listeners are up'],
  [
    'POST',
    '/_emulator/servers/{primary|backup}/{down|up}',
    'Take a Mobius listener down (connections fail) or up',
  ],
  ['POST', '/_emulator/tokens', 'Issue tokens without the browser: {email, clientId?, scopes?}'],
  [
    'POST',
    '/_emulator/tokens/revoke',
    "{email} all of a user's tokens, {accessToken} one token, {} every token",
  ],
  ['POST', '/_emulator/tokens/expire', 'Access tokens expire now: {email?, refreshTokens?}'],
  ['GET', '/_emulator/devices?email=', 'Live Mobius devices (all users without email)'],
  ['GET', '/_emulator/device-history?email=', "Every device's life since reset, and maxLive"],
  ['GET', '/_emulator/lapses?email=', 'Devices that expired (missed keepalives), with when'],
  ['GET', '/_emulator/log', 'Request log'],
  ['GET', '/_emulator/deviations', 'Requests that strayed from the Webex references'],
  ['DELETE', '/_emulator/log', 'Clear log and deviations'],
  ['POST', '/_emulator/reset', 'Back to the start state'],
  ['GET', '/_emulator/integrations', 'Registered integrations (no secrets)'],
  ['POST', '/_emulator/integrations', '{clientId, clientSecret, redirectUris, scopes, name?}'],
  ['GET', '/_emulator/users', 'Test users'],
  ['GET', '/_emulator/clock', 'Emulator time'],
  ['POST', '/_emulator/clock', 'Jump ahead: {advanceMs}'],
  [
    'POST',
    '/_emulator/calls',
    'Call me: {email, callerName?, callerNumber?, ringTimeoutMs?, toneHz?, listenHz?, amplitude?}',
  ],
  ['GET', '/_emulator/calls?email=', 'Calls, with the caller’s RTP counters and what it hears'],
  ['POST', '/_emulator/calls/{callId}/hangup', 'The caller hangs up'],
  ['GET', '/_emulator/mercury?email=', 'Mercury sockets: pings, pongs, acks, unacked'],
  [
    'POST',
    '/_emulator/mercury/faults',
    '{action: close, code} | {action: missingPongs, count} | {action: shutdown}; email? for one user',
  ],
];

/** Human index of the admin API. */
export function adminPage(urls: EmulatorUrls): string {
  const rows = ROWS.map(
    ([method, path, what]) =>
      `<tr><td>${method}</td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(what)}</td></tr>`,
  ).join('\n');
  return page(
    'Webex Calling emulator: admin API',
    `<h1>Webex Calling emulator: admin API</h1>
<p>Base <code>${escapeHtml(urls.base)}</code>, Mobius primary <code>${escapeHtml(urls.mobiusPrimaryApi)}</code>,
backup <code>${escapeHtml(urls.mobiusBackupApi)}</code>. <a href="/demo">Demo page</a>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What</th></tr></thead><tbody>
${rows}
</tbody></table>
<p>Fault endpoints: ${ENDPOINT_NAMES.map((n) => `<code>${n}</code>`).join(', ')}.</p>`,
  );
}
