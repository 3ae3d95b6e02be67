import { escapeHtml, page } from './html';
import type { Integration } from './integrations';
import type { TestUser } from './users';

export const DECISION_PATH = '/v1/authorize/decision';

const SCOPE_TEXT: Record<string, string> = {
  'spark:webrtc_calling': 'Make and receive calls over WebRTC',
  'spark:calls_read': 'Read your call state',
  'spark:calls_write': 'Control your calls',
  'spark:xsi': 'Use Webex Calling features (voicemail, call settings)',
  'spark:people_read': 'Read your profile and the company directory',
  'spark:kms': 'Access the encryption key management service',
  'spark:all': 'Full access to your Webex account',
  openid: 'Sign you in',
  email: 'See your email address',
  profile: 'See your name and profile',
};

/**
 * Sign-in and consent in one step, working without JavaScript: each button submits the form
 * with the opaque request id, so chrome.identity's window and tests can simply click.
 */
export function consentPage(
  requestId: string,
  integration: Integration,
  scopes: string[],
  users: readonly TestUser[],
): string {
  const scopeItems = scopes
    .map((s) => `<li><code>${escapeHtml(s)}</code> ${escapeHtml(SCOPE_TEXT[s] ?? '')}</li>`)
    .join('\n');
  const userButtons = users
    .map(
      (u) =>
        `<li><button type="submit" name="user" value="${escapeHtml(u.email)}">Sign in as ${escapeHtml(
          u.displayName,
        )}</button> <span>${escapeHtml(u.email)}</span></li>`,
    )
    .join('\n');
  return page(
    'Sign in to Webex (emulator)',
    `<h1>Sign in to Webex</h1>
<p><strong>${escapeHtml(integration.name)}</strong> would like to:</p>
<ul>${scopeItems}</ul>
<form method="post" action="${DECISION_PATH}">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<h2>Choose an account</h2>
<ul class="plain">
${userButtons}
</ul>
<p><button type="submit" class="secondary" name="decision" value="decline">Decline</button></p>
</form>
<p><small>Local Webex Calling emulator: test accounts only.</small></p>`,
  );
}

/** Shown instead of redirecting when the client or redirect URI cannot be trusted. */
export function authorizeErrorPage(description: string): string {
  return page(
    'Sign-in error (emulator)',
    `<h1>Sign-in error</h1>
<p class="error" role="alert">${escapeHtml(description)}</p>
<p>The application that sent you here is misconfigured. You were not redirected back to it.</p>`,
  );
}
