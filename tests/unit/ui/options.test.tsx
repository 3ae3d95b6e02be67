// @vitest-environment happy-dom

import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { diagnosticsExport } from '../../../entrypoints/options/DiagnosticsSection';
import type { OptionsEnv } from '../../../entrypoints/options/env';
import { Options } from '../../../entrypoints/options/Options';
import { DEFAULT_CALL_PREFERENCES } from '../../../lib/call-preferences';
import { createMessagingClient } from '../../../lib/messaging/client';
import type { DiagnosticEntry, SettingsView } from '../../../lib/messaging/protocol';
import { LOCKABLE_FIELDS } from '../../../lib/policy/apply';
import {
  fakeRuntime,
  type Handlers,
  installI18n,
  installLocale,
  policyView,
  RequestRefused,
} from './helpers';

const ORIGIN = { selector: '.origin' };
const REDIRECT = 'https://lclgmdimnbpfealagmcigipoidjcdeol.chromiumapp.org/';

function view(
  overrides: Partial<SettingsView['settings']> = {},
  errors?: Record<string, string>,
  signedIn = false,
  policy: Partial<SettingsView['policy']> = {},
): SettingsView {
  return {
    signedIn,
    settings: {
      environment: { kind: 'production' },
      clientId: 'Cabcdef1234567890',
      clientSecretSet: true,
      tokenBrokerUrl: '',
      keepRegistered: true,
      notifications: true,
      sites: ['https://crm.example.com'],
      calls: DEFAULT_CALL_PREFERENCES,
      ...overrides,
    },
    redirectUrl: REDIRECT,
    policy: policyView(policy),
    ...(errors ? { errors } : {}),
  };
}

const ENTRIES: DiagnosticEntry[] = [
  { at: Date.UTC(2026, 10, 27, 9, 0, 0), kind: 'register', message: 'Registered on primary' },
  { at: Date.UTC(2026, 10, 27, 9, 5, 0), kind: 'keepalive', message: 'Keepalive failed (503)' },
  {
    at: Date.UTC(2026, 10, 27, 9, 5, 1),
    kind: 'request',
    message: 'keepalive HTTP 503',
    data: { trackingId: 'webex-line-extension_t1', ms: 12 },
  },
];

function setup(handlers: Handlers = {}, envOverrides: Partial<OptionsEnv> = {}) {
  let sites = ['https://crm.example.com'];
  const fake = fakeRuntime({
    'settings/get': () => view(),
    'settings/save': ({ settings }) =>
      view({ ...settings, clientSecretSet: true, sites } as SettingsView['settings']),
    'sites/list': () => ({ sites }),
    'sites/add': ({ origin }) => {
      sites = [...sites, origin];
      return { sites };
    },
    'sites/remove': ({ origin }) => {
      sites = sites.filter((s) => s !== origin);
      return { sites };
    },
    'diagnostics/get': () => ({ entries: ENTRIES }),
    'diagnostics/clear': () => ({ entries: [] }),
    'devices/list': () => ({ devices: [] }),
    ...handlers,
  });
  const order: string[] = [];
  const env: OptionsEnv = {
    requestOrigins: vi.fn(async (origins: string[]) => {
      order.push(`request ${origins.join()}`);
      return true;
    }),
    hasOrigins: vi.fn(async () => true),
    copyText: vi.fn(async () => {}),
    download: vi.fn(),
    extensionVersion: () => '0.1.0',
    initialAddSite: null,
    ...envOverrides,
  };
  const originalSend = fake.runtime.sendMessage;
  fake.runtime.sendMessage = (message) => {
    order.push(`send ${(message as { type: string }).type}`);
    return originalSend(message);
  };
  render(<Options client={createMessagingClient(fake.runtime)} env={env} />);
  return { fake, env, order };
}

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: string, value: string) => fireEvent.input(input(label), { target: { value } });

beforeEach(installI18n);
afterEach(cleanup);

describe('options: integration settings', () => {
  it('shows the redirect URL with a Copy button, and never pre-fills the secret', async () => {
    const { env } = setup();
    await screen.findByDisplayValue(REDIRECT);
    expect(input('Client secret').value).toBe('');
    expect(input('Client secret').type).toBe('password');
    expect(screen.getByText('A secret is stored. Type a new one only to replace it.')).toBeTruthy();
    expect(screen.getByText(/can be read by anyone who uses this browser profile/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(env.copyText).toHaveBeenCalledWith(REDIRECT);
    await screen.findByText('Copied to the clipboard.');
  });

  it('shows inline messages for invalid input and sends nothing', async () => {
    const { fake, env } = setup({
      'settings/get': () => view({ clientSecretSet: false }),
    });
    await screen.findByLabelText('Client ID');
    fireEvent.click(screen.getByLabelText('Custom base URL (for example the local emulator)'));
    type('Base URL', 'ftp://emulator');
    type('Client ID', '');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(
      screen.getByText('Enter a full http:// or https:// URL, without query or fragment.'),
    ).toBeTruthy();
    expect(screen.getByText('Enter the integration client ID.')).toBeTruthy();
    expect(screen.getByText('Enter the integration client secret.')).toBeTruthy();
    expect(input('Base URL').getAttribute('aria-invalid')).toBe('true');
    expect(input('Client ID').getAttribute('aria-describedby')).toBe('clientId-error');
    expect(screen.getByRole('alert').textContent).toContain('Nothing was saved.');
    expect(document.activeElement).toBe(input('Base URL'));
    expect(fake.sentOf('settings/save')).toEqual([]);
    expect(env.requestOrigins).not.toHaveBeenCalled();
  });

  it('saves the whole form in one settings/save and confirms; a kept secret is left out', async () => {
    const { fake } = setup();
    await screen.findByLabelText('Client ID');
    type('Client ID', '  Cabcdef1234567890  ');
    fireEvent.click(
      screen.getByLabelText(
        'Notify me when the line stops being registered or I need to sign in again',
      ),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await screen.findByText('Settings saved.');
    expect(fake.sentOf('settings/save')).toEqual([
      {
        type: 'settings/save',
        payload: {
          settings: {
            environment: { kind: 'production' },
            clientId: 'Cabcdef1234567890',
            tokenBrokerUrl: '',
            keepRegistered: true,
            notifications: false,
          },
        },
      },
    ]);
    // Editing again clears the confirmation.
    type('Client ID', 'Cnew01234567890');
    expect(screen.queryByText('Settings saved.')).toBeNull();
  });

  it('another client ID needs its own secret, and says before saving that it signs out first', async () => {
    const { fake } = setup({ 'settings/get': () => view({}, undefined, true) });
    await screen.findByLabelText('Client ID');
    expect(screen.queryByText(/Saving signs you out of Webex first/)).toBeNull();
    type('Client ID', 'Cother0123456789');
    expect(screen.getByText(/Saving signs you out of Webex first/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out and save' }));
    await screen.findByText(
      "The environment or client ID changed: enter this integration's client secret again.",
    );
    expect(fake.sentOf('settings/save')).toEqual([]);
    type('Client secret', 'other-secret');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out and save' }));
    await screen.findByText('Settings saved.');
    expect(fake.sentOf('settings/save')[0]?.payload).toMatchObject({
      settings: { clientId: 'Cother0123456789', clientSecret: 'other-secret' },
    });
  });

  it('a pressed Save keeps keyboard focus while saving, and a second press sends nothing', async () => {
    let finish: (value: SettingsView) => void = () => {};
    const { fake } = setup({
      'settings/save': () => new Promise<SettingsView>((resolve) => (finish = resolve)),
    });
    await screen.findByLabelText('Client ID');
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    save.focus();
    fireEvent.click(save);
    await screen.findByRole('button', { name: 'Saving…' });
    expect(save.disabled).toBe(false);
    expect(save.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(save);
    fireEvent.click(save);
    expect(fake.sentOf('settings/save')).toHaveLength(1);
    finish(view());
    await screen.findByText('Settings saved.');
    await waitFor(() => expect(save.hasAttribute('aria-disabled')).toBe(false));
  });

  it('a custom environment asks for host access first, then saves with the typed secret', async () => {
    const { fake, order } = setup();
    await screen.findByLabelText('Client ID');
    fireEvent.click(screen.getByLabelText('Custom base URL (for example the local emulator)'));
    type('Base URL', 'http://127.0.0.1:8790/');
    type('Client secret', ' new-secret ');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await screen.findByText('Settings saved.');
    expect(
      order.filter(
        (o) =>
          !o.startsWith('send sites') &&
          !o.startsWith('send diag') &&
          !o.startsWith('send devices') &&
          o !== 'send settings/get',
      ),
    ).toEqual(['request http://127.0.0.1/*', 'send settings/save']);
    expect(fake.sentOf('settings/save')[0]?.payload).toEqual({
      settings: {
        environment: { kind: 'custom', baseUrl: 'http://127.0.0.1:8790' },
        clientId: 'Cabcdef1234567890',
        tokenBrokerUrl: '',
        clientSecret: 'new-secret',
        keepRegistered: true,
        notifications: true,
      },
    });
    expect(input('Client secret').value).toBe('');
  });

  it('does not save a custom environment the user refused access to', async () => {
    const { fake } = setup({}, { requestOrigins: vi.fn(async () => false) });
    await screen.findByLabelText('Client ID');
    fireEvent.click(screen.getByLabelText('Custom base URL (for example the local emulator)'));
    type('Base URL', 'https://webex.example.org');
    type('Client secret', 'that-environments-secret');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/was not allowed to reach that server/);
    expect(fake.sentOf('settings/save')).toEqual([]);
  });

  it('shows errors the background returns and no confirmation', async () => {
    setup({
      // A validation code is translated; other text (not a validation) is shown as it came.
      'settings/save': () => view({}, { clientId: 'clientIdInvalid', form: 'Storage is full.' }),
    });
    await screen.findByLabelText('Client ID');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('A client ID is letters and digits only.');
    expect(screen.getByText('Storage is full.')).toBeTruthy();
    expect(screen.queryByText('Settings saved.')).toBeNull();
  });
});

describe('options: in the user language', () => {
  it('Japanese: labels and the validation messages of a refused save', async () => {
    installLocale('ja');
    const { fake } = setup({ 'settings/get': () => view({ clientSecretSet: false }) });
    await screen.findByLabelText('クライアント ID');
    fireEvent.click(screen.getByLabelText('カスタム ベース URL (ローカル エミュレーターなど)'));
    type('ベース URL', 'http://10.0.0.5:8790');
    type('クライアント ID', '');
    fireEvent.click(screen.getByRole('button', { name: '保存' }));
    expect(
      screen.getByText(
        'https:// を使用してください。暗号化されない http:// は、このコンピューター (localhost、127.0.0.1) でのみ使えます。',
      ),
    ).toBeTruthy();
    expect(
      screen.getByText('インテグレーションのクライアント ID を入力してください。'),
    ).toBeTruthy();
    expect(
      screen.getByText('インテグレーションのクライアント シークレットを入力してください。'),
    ).toBeTruthy();
    expect(screen.queryByText(/Enter the integration/)).toBeNull();
    expect(fake.sentOf('settings/save')).toEqual([]);
  });

  it('German: a site the background refuses shows its code as German text', async () => {
    installLocale('de');
    setup({
      'sites/add': () => {
        throw new RequestRefused('invalid', 'siteInvalid');
      },
    });
    await screen.findByText('https://crm.example.com', ORIGIN);
    type('Adresse der Website', 'https://help.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Website hinzufügen' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Geben Sie einen Ursprung wie https://crm.example.com ein, ohne Pfad.',
    );
  });
});

describe('options: your devices', () => {
  const DEVICES = [
    {
      deviceId: 'd-own',
      server: 'https://m/',
      addresses: ['sip:a@b'],
      thisBrowser: true,
      current: true,
      lastSeen: '2026-11-27T09:00:00Z',
    },
    { deviceId: 'd-old', server: 'https://m/', addresses: [], thisBrowser: false, current: false },
  ];

  it('lists the devices, marks this browser, and removes another with one click', async () => {
    let devices = DEVICES;
    const { fake } = setup({
      'devices/list': () => ({ devices }),
      'devices/remove': ({ deviceId }) => {
        devices = devices.filter((d) => d.deviceId !== deviceId);
        return { devices };
      },
    });
    await screen.findByText('This browser (your line)');
    expect(screen.getByText('Another device')).toBeTruthy();
    // The line's own device is not removed here.
    expect(screen.getAllByRole('button', { name: 'Remove' })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByText('Another device')).toBeNull());
    expect(fake.sentOf('devices/remove')).toEqual([
      { type: 'devices/remove', payload: { deviceId: 'd-old' } },
    ]);
  });
});

describe('options: sites', () => {
  it('lists the sites and asks permission before adding one', async () => {
    const { fake, env, order } = setup();
    await screen.findByText('https://crm.example.com', ORIGIN);
    type('Site address', 'https://help.example.com/');
    fireEvent.click(screen.getByRole('button', { name: 'Add site' }));
    await screen.findByText('https://help.example.com', ORIGIN);
    expect(env.requestOrigins).toHaveBeenCalledWith(['https://help.example.com/*']);
    expect(fake.sentOf('sites/add')).toEqual([
      { type: 'sites/add', payload: { origin: 'https://help.example.com' } },
    ]);
    expect(order.indexOf('request https://help.example.com/*')).toBeLessThan(
      order.indexOf('send sites/add'),
    );
  });

  it('adds nothing when the permission is denied', async () => {
    const { fake } = setup({}, { requestOrigins: vi.fn(async () => false) });
    await screen.findByText('https://crm.example.com', ORIGIN);
    type('Site address', 'https://help.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Add site' }));
    await screen.findByText('Access to that site was not allowed, so it was not added.');
    expect(fake.sentOf('sites/add')).toEqual([]);
    expect(screen.queryByText('https://help.example.com', ORIGIN)).toBeNull();
  });

  it('refuses a path or a duplicate without asking for anything', async () => {
    const { env } = setup();
    await screen.findByText('https://crm.example.com', ORIGIN);
    type('Site address', 'https://help.example.com/tickets');
    fireEvent.click(screen.getByRole('button', { name: 'Add site' }));
    expect(
      screen.getByText('Enter an origin such as https://crm.example.com, without a path.'),
    ).toBeTruthy();
    type('Site address', 'https://crm.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Add site' }));
    expect(screen.getByText('That site is already in the list.')).toBeTruthy();
    expect(env.requestOrigins).not.toHaveBeenCalled();
  });

  it('refuses a plain-http site before asking the browser for host access to it', async () => {
    // Chrome would prompt for http://crm.example.com, then the background would refuse the site,
    // leaving an unused permission behind. The same rule decides here, before any prompt.
    const { fake, env } = setup();
    await screen.findByText('https://crm.example.com', ORIGIN);
    type('Site address', 'http://crm.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Add site' }));
    expect(
      screen.getByText(
        'Use https://. Plain http:// sites are allowed only on this computer (localhost, 127.0.0.1).',
      ),
    ).toBeTruthy();
    expect(env.requestOrigins).not.toHaveBeenCalled();
    expect(fake.sentOf('sites/add')).toEqual([]);
    // A local plain-http site is allowed: it is asked for, then added.
    type('Site address', 'http://localhost:3000');
    fireEvent.click(screen.getByRole('button', { name: 'Add site' }));
    await screen.findByText('http://localhost:3000', ORIGIN);
    expect(env.requestOrigins).toHaveBeenCalledWith(['http://localhost:3000/*']);
  });

  it('removes a site through the background alone, which judges the host access on fresh settings', async () => {
    // This tab loaded a production environment; another tab may since have made the same
    // origin the custom environment. Only the background knows, so the page removes nothing.
    const permissionsRemove = vi.spyOn(fakeBrowser.permissions, 'remove');
    const removeOrigins = vi.fn(async () => true);
    const { fake } = setup({}, { removeOrigins } as Partial<OptionsEnv>);
    const item = (await screen.findByText('https://crm.example.com', ORIGIN)).closest(
      'li',
    ) as HTMLElement;
    fireEvent.click(within(item).getByRole('button', { name: 'Remove https://crm.example.com' }));
    await screen.findByText('No sites yet.');
    expect(fake.sentOf('sites/remove')).toEqual([
      { type: 'sites/remove', payload: { origin: 'https://crm.example.com' } },
    ]);
    await screen.findByText('Removed https://crm.example.com.', { exact: false });
    expect(permissionsRemove).not.toHaveBeenCalled();
    expect(removeOrigins).not.toHaveBeenCalled();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('pre-fills the site the popup asked for', async () => {
    setup({}, { initialAddSite: 'https://desk.example.net' });
    await screen.findByText('https://crm.example.com', ORIGIN);
    expect(input('Site address').value).toBe('https://desk.example.net');
  });
});

describe('options: managed by the organisation', () => {
  const all = (value: boolean) =>
    Object.fromEntries(
      LOCKABLE_FIELDS.map((field) => [field, value]),
    ) as SettingsView['policy']['locked'];
  const BROKER = 'https://broker.example.com/token';
  const orgView = (locked: Partial<SettingsView['policy']['locked']>, extra = {}) =>
    view(
      {
        environment: { kind: 'custom', baseUrl: 'https://webex-gw.example.com' },
        clientId: 'Corg0123456789',
        tokenBrokerUrl: BROKER,
        clientSecretSet: false,
      },
      undefined,
      false,
      { managed: true, locked: { ...all(false), ...locked }, ...extra },
    );

  it('shows locked fields read-only, "Set by your organisation", and no secret field with a broker', async () => {
    setup({
      'settings/get': () =>
        orgView({ environment: true, clientId: true, tokenBrokerUrl: true, clientSecret: true }),
    });
    const clientId = await screen.findByLabelText('Client ID');
    expect((clientId as HTMLInputElement).readOnly).toBe(true);
    expect(clientId.getAttribute('aria-describedby')).toBe('client-id-lock');
    expect(document.getElementById('client-id-lock')?.textContent).toBe('Set by your organisation');
    expect(input('Token broker URL (optional)').readOnly).toBe(true);
    expect(input('Token broker URL (optional)').value).toBe(BROKER);
    expect(screen.getByRole('textbox', { name: 'Base URL' }).hasAttribute('readonly')).toBe(true);
    expect(input('Webex (production)').disabled).toBe(true);
    expect(screen.queryByLabelText('Client secret')).toBeNull();
    expect(screen.getAllByText('Set by your organisation')).toHaveLength(4);
    // The preferences are still the user's: they can be saved.
    expect(input('Keep my line registered while the browser runs').disabled).toBe(false);
    expect(screen.getByRole('button', { name: 'Save' })).toBeTruthy();
    expect(
      screen.getByText(/Your organisation sets some of these settings through a browser policy/),
    ).toBeTruthy();
  });

  it('saves what the user may change, without asking for access to a locked environment', async () => {
    const { fake, env } = setup({
      'settings/get': () =>
        orgView({ environment: true, clientId: true, tokenBrokerUrl: true, clientSecret: true }),
    });
    fireEvent.click(await screen.findByLabelText(/Notify me when/));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Settings saved.');
    expect(env.requestOrigins).not.toHaveBeenCalled();
    expect(fake.sentOf('settings/save')[0]?.payload).toEqual({
      settings: {
        environment: { kind: 'custom', baseUrl: 'https://webex-gw.example.com' },
        clientId: 'Corg0123456789',
        tokenBrokerUrl: BROKER,
        keepRegistered: true,
        notifications: false,
      },
    });
  });

  it('offers nothing to save when the organisation locks every setting', async () => {
    setup({ 'settings/get': () => orgView(all(true)) });
    await screen.findByLabelText('Client ID');
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(
      screen.getByText(
        'Your organisation manages all of these settings, so there is nothing to save here.',
      ),
    ).toBeTruthy();
    expect(input('Keep my line registered while the browser runs').disabled).toBe(true);
    expect((screen.getByLabelText(/Notify me when/) as HTMLInputElement).disabled).toBe(true);
    // The site list is locked too: no Remove, no Add.
    await screen.findByText('https://crm.example.com', ORIGIN);
    expect(screen.queryByRole('button', { name: /Remove/ })).toBeNull();
    expect(screen.queryByLabelText('Site address')).toBeNull();
    expect(screen.getByText('Your organisation manages this list of sites.')).toBeTruthy();
  });

  it('a broker the user types hides the secret field, and no secret is sent', async () => {
    const { fake } = setup({ 'settings/get': () => view({ clientSecretSet: false }) });
    await screen.findByLabelText('Client ID');
    type('Client secret', 'typed-before');
    type('Token broker URL (optional)', 'http://broker.example.com/token');
    expect(screen.queryByLabelText('Client secret')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    // Checked here first, with the background's rule and text.
    expect(
      screen.getByText(
        'Use https://. Plain http:// is only for a token broker on this computer (localhost, 127.0.0.1).',
      ),
    ).toBeTruthy();
    expect(fake.sentOf('settings/save')).toEqual([]);
    type('Token broker URL (optional)', BROKER);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Settings saved.');
    const sent = fake.sentOf('settings/save')[0]?.payload;
    expect(sent).toMatchObject({ settings: { tokenBrokerUrl: BROKER } });
    expect(JSON.stringify(sent)).not.toContain('typed-before');
  });

  it("offers host access to the organisation's custom environment when this browser lacks it", async () => {
    const hasOrigins = vi.fn(async () => false);
    const { env } = setup({ 'settings/get': () => orgView({ environment: true }) }, { hasOrigins });
    await screen.findByText(/does not yet allow the extension to reach/);
    expect(hasOrigins).toHaveBeenCalledWith(['https://webex-gw.example.com/*']);
    fireEvent.click(screen.getByRole('button', { name: 'Allow access' }));
    await waitFor(() => expect(screen.queryByText(/does not yet allow/)).toBeNull());
    expect(env.requestOrigins).toHaveBeenCalledWith(['https://webex-gw.example.com/*']);
  });

  it("lists the policy's problems in the user's language, by field, never by value", async () => {
    installLocale('de');
    setup({
      'settings/get': () =>
        orgView(
          {},
          {
            problems: [
              { field: 'clickToRegisterSites[1]', reason: 'invalidEntry', detail: 'siteInsecure' },
              { field: 'secretThing', reason: 'unknownField' },
            ],
          },
        ),
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      'clickToRegisterSites[1] muss https:// verwenden (unverschlüsselte http://-Websites nur auf diesem Computer); der Eintrag wird ignoriert.',
    );
    expect(alert.textContent).toContain(
      'Die Richtlinie kennt keine Einstellung namens secretThing; sie wird ignoriert.',
    );
  });

  it("lists the organisation's sites without Remove, and asks for access where it is missing", async () => {
    const hasOrigins = vi.fn(
      async ([pattern]: string[]) => pattern !== 'https://desk.example.com/*',
    );
    const { env } = setup(
      {
        'settings/get': () =>
          orgView(
            {},
            { policySites: ['https://helpdesk.example.com', 'https://desk.example.com'] },
          ),
        'sites/list': () => ({
          sites: [
            'https://helpdesk.example.com',
            'https://desk.example.com',
            'https://crm.example.com',
          ],
        }),
      },
      { hasOrigins },
    );
    const policyItem = (await screen.findByText('https://helpdesk.example.com', ORIGIN)).closest(
      'li',
    ) as HTMLElement;
    expect(within(policyItem).queryByRole('button')).toBeNull();
    expect(within(policyItem).getByText('Set by your organisation')).toBeTruthy();
    const ownItem = screen
      .getByText('https://crm.example.com', ORIGIN)
      .closest('li') as HTMLElement;
    expect(
      within(ownItem).getByRole('button', { name: 'Remove https://crm.example.com' }),
    ).toBeTruthy();

    const allow = await screen.findByRole('button', {
      name: 'Allow access https://desk.example.com',
    });
    fireEvent.click(allow);
    await screen.findByText('Click-to-register now works on https://desk.example.com.');
    expect(env.requestOrigins).toHaveBeenCalledWith(['https://desk.example.com/*']);
    expect(screen.queryByRole('button', { name: /Allow access/ })).toBeNull();
  });
});

describe('options: diagnostics', () => {
  it('lists events newest first with timestamps, exports JSON and clears', async () => {
    const { fake, env } = setup();
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('code')?.textContent)).toEqual([
      'request',
      'keepalive',
      'register',
    ]);
    expect(rows[1]?.querySelector('time')?.getAttribute('datetime')).toBe(
      '2026-11-27T09:05:00.000Z',
    );

    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    expect(env.download).toHaveBeenCalledTimes(1);
    const [filename, text, mime] = vi.mocked(env.download).mock.calls[0] ?? [];
    expect(filename).toMatch(/^webex-line-diagnostics-.*\.json$/);
    expect(mime).toBe('application/json');
    expect(JSON.parse(text as string)).toMatchObject({ version: '0.1.0', entries: ENTRIES });

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await screen.findByText('No events recorded.');
    expect(fake.sentOf('diagnostics/clear')).toHaveLength(1);
  });

  it('names the export file after the time, safely', () => {
    const file = diagnosticsExport(ENTRIES, '1.2.3', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)));
    expect(file.filename).toBe('webex-line-diagnostics-2026-01-02T03-04-05-006Z.json');
    expect(JSON.parse(file.text)).toEqual({
      exportedAt: '2026-01-02T03:04:05.006Z',
      version: '1.2.3',
      // The line's timeline for support: requests with their status and tracking id, and so on.
      timeline: [{ ...ENTRIES[2], time: '2026-11-27T09:05:01.000Z' }],
      entries: ENTRIES,
    });
  });
});
