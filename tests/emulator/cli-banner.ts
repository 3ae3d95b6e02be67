import type { Emulator } from './index';

/** What `npm run emulator` prints once it listens. */
export function banner(emulator: Emulator): string {
  const { urls, demoIntegration: demo } = emulator;
  const users = emulator.users.map((u) => {
    const notes = [
      u.phoneNumber ? `${u.phoneNumber} ext ${u.extension}` : 'no calling number',
      u.callingEnabled ? '' : 'not enabled for WebRTC calling (403/102)',
      u.atDeviceLimit
        ? `already at the device limit (${emulator.config.deviceLimit}) (403/101)`
        : '',
    ].filter(Boolean);
    return `    ${u.email.padEnd(20)} ${u.displayName.padEnd(14)} ${notes.join(', ')}`;
  });
  return [
    'Webex Calling emulator',
    `  Base URL (webexapis, u2c, wdm, region): ${urls.base}`,
    `  Mobius primary:  ${urls.mobiusPrimaryApi}`,
    `  Mobius backup:   ${urls.mobiusBackupApi}`,
    `  Demo page:       ${urls.demo}`,
    `  Admin API:       ${urls.admin}/`,
    '  Demo integration:',
    `    client id      ${demo.clientId}`,
    `    client secret  ${demo.clientSecret}`,
    `    redirect URL   ${demo.redirectUris.join(' ')}`,
    `    scopes         ${demo.scopes.join(' ')}`,
    '  Test users:',
    ...users,
    '  Ctrl+C stops it.',
  ].join('\n');
}
