// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Popup, type PopupEnv } from '../../../entrypoints/popup/Popup';
import { createRecentNumbers, type RecentNumbers } from '../../../lib/app/recent-numbers';
import type { CallingView } from '../../../lib/messaging/calls';
import { createMessagingClient } from '../../../lib/messaging/client';
import { STATUS_PORT, type StatusSnapshot } from '../../../lib/messaging/protocol';
import { MemoryStore } from '../fakes/store';
import {
  callingView,
  callView,
  fakeRuntime,
  type Handlers,
  installI18n,
  installLocale,
  RequestRefused,
  snapshot,
} from './helpers';

function setup(
  initial: StatusSnapshot,
  handlers: Handlers = {},
  options: { recent?: RecentNumbers; shortcuts?: PopupEnv['shortcuts'] } = {},
) {
  const fake = fakeRuntime({
    'status/get': () => initial,
    'sites/list': () => ({ sites: [] }),
    'calls/command': () => initial.calling ?? callingView(),
    ...handlers,
  });
  const recent = options.recent ?? createRecentNumbers(new MemoryStore());
  const env: PopupEnv = {
    openOptions: vi.fn(),
    activeTabOrigin: vi.fn(async () => null),
    openMicrophone: vi.fn(),
    recentNumbers: recent,
    ...(options.shortcuts ? { shortcuts: options.shortcuts } : {}),
  };
  render(<Popup client={createMessagingClient(fake.runtime)} env={env} />);
  let at = initial.at;
  const update = (calling: CallingView, overrides: Partial<StatusSnapshot> = {}) => {
    at += 1_000;
    fake.broadcast(STATUS_PORT, {
      kind: 'snapshot',
      snapshot: { ...initial, ...overrides, calling, at },
    });
  };
  const commands = () => fake.sentOf('calls/command').map((m) => m.payload);
  return { fake, env, update, commands, recent };
}

const withCalling = (calling: CallingView, overrides: Partial<StatusSnapshot> = {}) =>
  snapshot({ calling, ...overrides });

const dialer = () => screen.findByRole('region', { name: 'Place a call' });
const numberField = () => screen.getByLabelText('Number to call') as HTMLInputElement;
const type = (field: HTMLInputElement, value: string) =>
  fireEvent.input(field, { target: { value } });
/** What the browser does on Enter in the field (happy-dom has no implicit submission). */
const pressEnter = (field: HTMLInputElement) => {
  expect(field.form?.querySelector('button[type="submit"]')).not.toBeNull();
  fireEvent.submit(field.form as HTMLFormElement);
};

beforeEach(installI18n);
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('dialer: the number', () => {
  it('a labelled tel field without autocomplete; Call places the call as the SDK sends it', async () => {
    const { commands } = setup(withCalling(callingView()));
    const card = await dialer();
    const field = numberField();
    expect(field.type).toBe('tel');
    expect(field.getAttribute('autocomplete')).toBe('off');
    type(field, '+1 (408) 555-0142');
    fireEvent.click(within(card).getByRole('button', { name: 'Call' }));
    await waitFor(() =>
      expect(commands()).toEqual([
        { command: { kind: 'dial', key: '', number: '+1(408)5550142' } },
      ]),
    );
    await waitFor(() => expect(field.value).toBe(''));
  });

  it('Enter in the field places the call', async () => {
    const { commands } = setup(withCalling(callingView()));
    await dialer();
    type(numberField(), '5001');
    pressEnter(numberField());
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'dial', key: '', number: '5001' } }]),
    );
  });

  it('Enter twice in one frame places one call', async () => {
    const { commands } = setup(withCalling(callingView()));
    await dialer();
    type(numberField(), '5001');
    pressEnter(numberField());
    pressEnter(numberField());
    await waitFor(() => expect(commands()).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(commands()).toHaveLength(1);
  });

  it.each([
    ['', 'Enter a number to call.'],
    ['   ', 'Enter a number to call.'],
    ['bob@example.com', 'A number may hold only digits, spaces and ( ) * # + . -'],
    ['*#', 'A number needs at least one digit.'],
    ['1'.repeat(65), 'A number may be at most 64 characters.'],
  ])('"%s": "%s" inline, and no request', async (input, reason) => {
    const { commands, fake } = setup(withCalling(callingView()));
    await dialer();
    type(numberField(), input);
    pressEnter(numberField());
    const error = await screen.findByText(reason);
    expect(error.getAttribute('role')).toBe('alert');
    expect(numberField().getAttribute('aria-invalid')).toBe('true');
    expect(numberField().getAttribute('aria-describedby')).toBe(error.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(commands()).toEqual([]);
    expect(fake.sentOf('calls/command')).toHaveLength(0);
  });

  it('the reason follows the typing once shown, and goes when the number is good', async () => {
    setup(withCalling(callingView()));
    await dialer();
    pressEnter(numberField());
    await screen.findByText('Enter a number to call.');
    type(numberField(), 'abc');
    await screen.findByText('A number may hold only digits, spaces and ( ) * # + . -');
    type(numberField(), '5001');
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(numberField().getAttribute('aria-invalid')).toBeNull();
  });

  it('in German', async () => {
    installLocale('de');
    setup(withCalling(callingView()));
    await screen.findByRole('region', { name: 'Anruf tätigen' });
    pressEnter(screen.getByLabelText('Rufnummer') as HTMLInputElement);
    await screen.findByText('Geben Sie eine Rufnummer ein.');
  });

  it('the keypad (0-9 * # +) types into the field', async () => {
    setup(withCalling(callingView()));
    const card = await dialer();
    const toggle = within(card).getByRole('button', { name: 'Keypad' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const pad = within(card).getByRole('group', { name: 'Keypad' });
    expect(
      within(pad)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual([...'123456789*0#+']);
    for (const key of ['+', '4', '9', '#'])
      fireEvent.click(within(pad).getByRole('button', { name: key }));
    expect(numberField().value).toBe('+49#');
  });

  it('a refused dial (the worker cannot place it yet) says why plainly and keeps the number', async () => {
    const { commands } = setup(withCalling(callingView()), {
      'calls/command': () => {
        throw new RequestRefused('failed', 'Placing calls is not supported yet.');
      },
    });
    await dialer();
    type(numberField(), '5001');
    pressEnter(numberField());
    expect(
      (await screen.findByText('Placing calls is not supported yet.')).getAttribute('role'),
    ).toBe('alert');
    expect(commands()).toHaveLength(1);
    expect(numberField().value).toBe('5001');
  });
});

describe('dialer: when a call can be placed', () => {
  const callButton = () => screen.queryByRole('button', { name: 'Call' });
  const blocked = () => screen.queryByTestId('dial-blocked')?.textContent ?? null;

  it('ready: Call, no reason', async () => {
    setup(withCalling(callingView()));
    await dialer();
    expect(callButton()).not.toBeNull();
    expect(blocked()).toBeNull();
  });

  it.each([
    [
      'not registered',
      callingView({ ring: 'off' }),
      { state: 'idle', display: 'inactive' } as const,
      'Register the line to place calls.',
    ],
    [
      'Mercury reconnecting',
      callingView({ ring: 'connecting' }),
      {},
      "Can't place calls: reconnecting to Webex",
    ],
    [
      'the line reconnecting',
      callingView(),
      { state: 'reconnecting', display: 'reconnecting' } as const,
      "Can't place calls: reconnecting to Webex",
    ],
    [
      'microphone denied',
      callingView({ mic: 'denied' }),
      {},
      'Allow the microphone to place calls.',
    ],
    [
      'a call ringing',
      callingView({ calls: [callView()] }),
      {},
      'Finish the ringing or outgoing call first.',
    ],
    [
      'a call being answered',
      callingView({ calls: [callView({ state: 'answering' })] }),
      {},
      'Finish the ringing or outgoing call first.',
    ],
    [
      'a call dialling',
      callingView({ calls: [callView({ state: 'dialing', direction: 'outbound' })] }),
      {},
      'Finish the ringing or outgoing call first.',
    ],
    [
      'a call ringing out',
      callingView({ calls: [callView({ state: 'ringback', direction: 'outbound' })] }),
      {},
      'Finish the ringing or outgoing call first.',
    ],
  ])('%s: no Call, one line why; Enter sends nothing', async (_, calling, overrides, reason) => {
    const { commands } = setup(withCalling(calling, overrides));
    await dialer();
    expect(callButton()).toBeNull();
    expect(blocked()).toBe(reason);
    type(numberField(), '5001');
    fireEvent.submit(numberField().form as HTMLFormElement);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(commands()).toEqual([]);
  });

  it('a call the user talks in: hold it first; once it is held, Call is there', async () => {
    const talking = callView({ state: 'connected', connectedAt: Date.now() });
    const { update } = setup(withCalling(callingView({ calls: [talking] })));
    await dialer();
    expect(callButton()).toBeNull();
    expect(blocked()).toBe('Put your call on hold to place another.');
    update(callingView({ calls: [{ ...talking, holdPending: 'hold' }] }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(callButton()).toBeNull();
    update(callingView({ calls: [{ ...talking, held: true }] }));
    await waitFor(() => expect(callButton()).not.toBeNull());
    expect(blocked()).toBeNull();
  });

  it('comes and goes with the line', async () => {
    const { update } = setup(withCalling(callingView({ ring: 'connecting' })));
    await dialer();
    expect(callButton()).toBeNull();
    update(callingView());
    await waitFor(() => expect(callButton()).not.toBeNull());
  });

  it('no dialer where calls cannot be held (Firefox), nor before a calling view', async () => {
    setup(withCalling(callingView({ ring: 'unsupported' })));
    await screen.findByText("This browser can't take calls; the line stays registered");
    expect(screen.queryByRole('region', { name: 'Place a call' })).toBeNull();
    cleanup();
    setup(snapshot());
    await screen.findByText('Alice Example');
    expect(screen.queryByRole('region', { name: 'Place a call' })).toBeNull();
  });
});

describe('dialer: recent numbers and the emergency notice', () => {
  it('a dialled number joins the list (newest first), and one click calls it again', async () => {
    const recent = createRecentNumbers(new MemoryStore());
    await recent.record('5001');
    const { commands } = setup(withCalling(callingView()), {}, { recent });
    const list = await screen.findByRole('list', { name: 'Recent numbers' });
    expect(
      within(list)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['5001']);
    type(numberField(), '+1 408 555 0142');
    pressEnter(numberField());
    await waitFor(() =>
      expect(
        within(list)
          .getAllByRole('button')
          .map((b) => b.textContent),
      ).toEqual(['+14085550142', '5001']),
    );
    expect(await recent.list()).toEqual(['+14085550142', '5001']);
    fireEvent.click(screen.getByRole('button', { name: 'Call 5001' }));
    await waitFor(() => expect(commands()).toHaveLength(2));
    expect(commands()[1]).toEqual({ command: { kind: 'dial', key: '', number: '5001' } });
    await waitFor(async () => expect(await recent.list()).toEqual(['5001', '+14085550142']));
  });

  it('a disk that never answers does not hold the call back', async () => {
    const stuck: RecentNumbers = {
      list: async () => [],
      record: () => new Promise(() => {}),
      erase: async () => {},
    };
    const { commands } = setup(withCalling(callingView()), {}, { recent: stuck });
    await dialer();
    type(numberField(), '5002');
    pressEnter(numberField());
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'dial', key: '', number: '5002' } }]),
    );
  });

  it('no list while no call can be placed', async () => {
    const recent = createRecentNumbers(new MemoryStore());
    await recent.record('5001');
    setup(withCalling(callingView({ ring: 'connecting' })), {}, { recent });
    await dialer();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByRole('list', { name: 'Recent numbers' })).toBeNull();
  });

  it('says what an emergency call from here does, without promising a location', async () => {
    setup(withCalling(callingView()));
    const card = await dialer();
    const notice = within(card).getByTestId('emergency-notice').textContent ?? '';
    expect(notice).toContain('911');
    expect(notice).toContain('location your administrator set for that line');
    expect(notice).toContain("does not send your browser's location");
    expect(notice).toContain('call from another phone');
  });
});

describe('keyboard shortcuts in the popup', () => {
  it('lists them as the browser has them now, "Not set" when the user removed the keys', async () => {
    const shortcuts = vi.fn(async () => [
      { name: '_execute_action', description: '', shortcut: '' },
      { name: 'answer-call', description: 'Answer the ringing call', shortcut: 'Alt+Shift+A' },
      {
        name: 'hang-up-call',
        description: 'Hang up the call, or decline a ringing one',
        shortcut: '',
      },
    ]);
    setup(withCalling(callingView()), {}, { shortcuts });
    const list = await screen.findByTestId('shortcuts');
    expect(within(list).getByText('Keyboard shortcuts').tagName).toBe('SUMMARY');
    expect(within(list).getByText('Answer the ringing call').nextElementSibling?.textContent).toBe(
      'Alt+Shift+A',
    );
    expect(
      within(list).getByText('Hang up the call, or decline a ringing one').nextElementSibling
        ?.textContent,
    ).toBe('Not set');
    expect(within(list).getAllByRole('term')).toHaveLength(2);
  });
});

describe('call panel: an outgoing call', () => {
  const outgoing = (overrides = {}) =>
    callView({
      direction: 'outbound' as const,
      state: 'dialing',
      callerName: undefined,
      callerNumber: '5001',
      ...overrides,
    });

  it('dialling: the callee, "Calling…" (announced politely) and only Hang up', async () => {
    const { commands } = setup(withCalling(callingView({ calls: [outgoing()] })));
    const card = await screen.findByRole('region', { name: '5001' });
    const state = within(card).getByText('Calling…');
    expect(state.closest('[aria-live]')?.getAttribute('aria-live')).toBe('polite');
    expect(within(card).queryByRole('alert')).toBeNull();
    expect(
      within(card)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Hang up']);
    fireEvent.click(within(card).getByRole('button', { name: 'Hang up' }));
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'hangup', key: 'call-1' } }]),
    );
  });

  it('ringback: "Ringing…", with the early media hint when audio plays before the answer', async () => {
    const { update } = setup(
      withCalling(callingView({ calls: [outgoing({ state: 'ringback' })] })),
    );
    const card = await screen.findByRole('region', { name: '5001' });
    expect(within(card).getByText('Ringing…')).toBeTruthy();
    expect(within(card).queryByText(/message or tones/)).toBeNull();
    update(callingView({ calls: [outgoing({ state: 'ringback', earlyMedia: true })] }));
    await within(card).findByText("You may hear a message or tones from the other side's network.");
    update(callingView({ calls: [outgoing({ state: 'connected', connectedAt: Date.now() })] }));
    await within(card).findByText('On a call');
    expect(within(card).getByRole('button', { name: 'Hold' })).toBeTruthy();
  });
});

describe('call panel: hold and resume', () => {
  const connected = (overrides = {}) =>
    callView({ state: 'connected', connectedAt: Date.now(), ...overrides });

  it('Hold sends hold; pending shows "Putting on hold…" and locks; held shows Resume', async () => {
    const { update, commands } = setup(withCalling(callingView({ calls: [connected()] })));
    const hold = await screen.findByRole('button', { name: 'Hold' });
    fireEvent.click(hold);
    fireEvent.click(hold);
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'hold', key: 'call-1', held: true } }]),
    );
    update(callingView({ calls: [connected({ holdPending: 'hold' })] }));
    await screen.findByText('Putting on hold…');
    expect(hold.getAttribute('aria-disabled')).toBe('true');
    update(callingView({ calls: [connected({ held: true })] }));
    await screen.findByText('On hold');
    const resume = screen.getByRole('button', { name: 'Resume' });
    expect(resume.getAttribute('aria-disabled')).toBeNull();
    fireEvent.click(resume);
    await waitFor(() => expect(commands()).toHaveLength(2));
    expect(commands()[1]).toEqual({ command: { kind: 'hold', key: 'call-1', held: false } });
    update(callingView({ calls: [connected({ held: true, holdPending: 'resume' })] }));
    await screen.findByText('Resuming…');
  });

  it('a hold Mobius never confirmed says so; the next hold clears it', async () => {
    const { update } = setup(
      withCalling(callingView({ calls: [connected({ holdPending: 'hold' })] })),
    );
    await screen.findByText('Putting on hold…');
    update(callingView({ calls: [connected()] }));
    const failed = await screen.findByText('The call could not be put on hold.');
    expect(failed.getAttribute('role')).toBe('alert');
    fireEvent.click(screen.getByRole('button', { name: 'Hold' }));
    await waitFor(() =>
      expect(screen.queryByText('The call could not be put on hold.')).toBeNull(),
    );
  });

  it('a resume that failed says so', async () => {
    const { update } = setup(
      withCalling(callingView({ calls: [connected({ held: true, holdPending: 'resume' })] })),
    );
    await screen.findByText('Resuming…');
    update(callingView({ calls: [connected({ held: true })] }));
    await screen.findByText('The call could not be resumed.');
  });

  it('a refused hold (the call machine does not hold calls yet) shows the reason', async () => {
    setup(withCalling(callingView({ calls: [connected()] })), {
      'calls/command': () => {
        throw new RequestRefused('failed', 'Hold is not supported yet.');
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Hold' }));
    expect((await screen.findByText('Hold is not supported yet.')).getAttribute('role')).toBe(
      'alert',
    );
  });
});

describe('call panel: keypad and transfer in a call', () => {
  const connected = () => callView({ state: 'connected', connectedAt: Date.now() });

  it('Keypad opens 12 keys; each key sends its tone, and the tones sent show', async () => {
    const { commands } = setup(withCalling(callingView({ calls: [connected()] })));
    const card = await screen.findByRole('region', { name: 'Bob Smith' });
    const toggle = within(card).getByRole('button', { name: 'Keypad' });
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const pad = within(card).getByRole('group', { name: 'Keypad' });
    expect(
      within(pad)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual([...'123456789*0#']);
    for (const key of ['1', '1', '#'])
      fireEvent.click(within(pad).getByRole('button', { name: key }));
    await waitFor(() => expect(commands()).toHaveLength(3));
    expect(commands()).toEqual([
      { command: { kind: 'digits', key: 'call-1', digits: '1' } },
      { command: { kind: 'digits', key: 'call-1', digits: '1' } },
      { command: { kind: 'digits', key: 'call-1', digits: '#' } },
    ]);
    const sent = within(card).getByTestId('digits-sent');
    expect(sent.textContent).toBe('Sent: 11#');
    // Typed with the focus on the keypad: the same tones; other keys do nothing.
    fireEvent.keyDown(within(pad).getByRole('button', { name: '5' }), { key: '5' });
    fireEvent.keyDown(pad, { key: 'x' });
    fireEvent.keyDown(pad, { key: '2', ctrlKey: true });
    await waitFor(() => expect(commands()).toHaveLength(4));
    expect(commands()[3]).toEqual({ command: { kind: 'digits', key: 'call-1', digits: '5' } });
    expect(sent.textContent).toBe('Sent: 11#5');
    expect(sent.getAttribute('aria-live')).toBe('polite');
    fireEvent.click(toggle);
    expect(within(card).queryByRole('group', { name: 'Keypad' })).toBeNull();
  });

  it('Transfer checks the number first (no request for a bad one), then sends transfer', async () => {
    const { commands } = setup(withCalling(callingView({ calls: [connected()] })));
    const card = await screen.findByRole('region', { name: 'Bob Smith' });
    fireEvent.click(within(card).getByRole('button', { name: 'Transfer' }));
    const to = within(card).getByLabelText('Transfer to') as HTMLInputElement;
    expect(to.type).toBe('tel');
    fireEvent.input(to, { target: { value: 'carol' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Transfer now' }));
    await within(card).findByText('A number may hold only digits, spaces and ( ) * # + . -');
    expect(to.getAttribute('aria-invalid')).toBe('true');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(commands()).toEqual([]);
    fireEvent.input(to, { target: { value: '+1 408-555-0199' } });
    fireEvent.submit(to.form as HTMLFormElement);
    await waitFor(() =>
      expect(commands()).toEqual([
        { command: { kind: 'transfer', key: 'call-1', to: '+14085550199' } },
      ]),
    );
    expect(within(card).queryByText(/A number may hold/)).toBeNull();
  });

  it('a refused transfer shows the reason', async () => {
    setup(withCalling(callingView({ calls: [connected()] })), {
      'calls/command': () => {
        throw new RequestRefused('failed', 'Transfer is not supported yet.');
      },
    });
    const card = await screen.findByRole('region', { name: 'Bob Smith' });
    fireEvent.click(within(card).getByRole('button', { name: 'Transfer' }));
    fireEvent.input(within(card).getByLabelText('Transfer to'), { target: { value: '5001' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Transfer now' }));
    await within(card).findByText('Transfer is not supported yet.');
  });
});

describe('call panel: call waiting', () => {
  const talking = () => callView({ state: 'connected', connectedAt: Date.now() });
  const waiting = () => callView({ key: 'call-2', callerName: 'Carol', callerNumber: '5002' });

  it('a second call while on one is "Call waiting": Answer answers it (the call machine holds the other first)', async () => {
    const { commands } = setup(withCalling(callingView({ calls: [talking(), waiting()] })));
    const card = await screen.findByRole('region', { name: 'Carol' });
    expect(within(card).getByText('Call waiting')).toBeTruthy();
    expect(within(card).getByText('Answering puts your current call on hold.')).toBeTruthy();
    expect(
      within(card)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Answer', 'Decline']);
    fireEvent.click(within(card).getByRole('button', { name: 'Answer' }));
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'answer', key: 'call-2' } }]),
    );
  });

  it('Decline declines the waiting call only', async () => {
    const { commands } = setup(withCalling(callingView({ calls: [talking(), waiting()] })));
    const card = await screen.findByRole('region', { name: 'Carol' });
    fireEvent.click(within(card).getByRole('button', { name: 'Decline' }));
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'decline', key: 'call-2' } }]),
    );
  });

  it('the answer under way shows as connecting, then the first call is on hold', async () => {
    const { update } = setup(withCalling(callingView({ calls: [talking(), waiting()] })));
    const card = await screen.findByRole('region', { name: 'Carol' });
    update(
      callingView({
        calls: [
          { ...talking(), holdPending: 'hold' },
          { ...waiting(), state: 'answering' },
        ],
      }),
    );
    await within(card).findByText('Connecting…');
    expect(screen.getByText('Putting on hold…')).toBeTruthy();
    update(
      callingView({
        calls: [
          { ...talking(), held: true },
          { ...waiting(), state: 'connected', connectedAt: Date.now() },
        ],
      }),
    );
    await screen.findByText('On hold');
    expect(within(card).getByText('On a call')).toBeTruthy();
  });

  it('with a call on hold only, a ringing call is "Call waiting" and is answered at once', async () => {
    const { commands } = setup(
      withCalling(
        callingView({ calls: [callView({ state: 'connected', held: true }), waiting()] }),
      ),
    );
    const card = await screen.findByRole('region', { name: 'Carol' });
    fireEvent.click(within(card).getByRole('button', { name: 'Answer' }));
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'answer', key: 'call-2' } }]),
    );
  });
});

describe("a call's running time with a fake clock", () => {
  it('a held call keeps its timer running', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(new Date(2026, 10, 27, 13, 0, 0));
    setup(
      withCalling(
        callingView({
          calls: [callView({ state: 'connected', held: true, connectedAt: Date.now() - 5_000 })],
        }),
      ),
    );
    const timer = await screen.findByRole('timer');
    expect(timer.textContent).toBe('00:05');
    await act(() => {
      vi.advanceTimersByTime(2_000);
    });
    expect(timer.textContent).toBe('00:07');
  });
});

describe('what the call machine says about a call', () => {
  const connected = (extra: Record<string, unknown> = {}) =>
    ({ ...callView({ state: 'connected', connectedAt: Date.now() }), ...extra }) as ReturnType<
      typeof callView
    >;

  it("a failed hold, resume, transfer or tone: the machine's sentence, once", async () => {
    const { update } = setup(
      withCalling(callingView({ calls: [connected({ holdPending: 'hold' })] })),
    );
    await screen.findByText('Putting on hold…');
    update(
      callingView({
        calls: [connected({ error: { kind: 'hold', detail: 'Hold was not confirmed in time.' } })],
      }),
    );
    const error = await screen.findByText('Hold was not confirmed in time.');
    expect(error.getAttribute('role')).toBe('alert');
    // The machine's sentence, not the popup's own as well.
    expect(screen.queryByText('The call could not be put on hold.')).toBeNull();
  });

  it('a transfer under way: "Transferring…", and Transfer now waits', async () => {
    const { update, commands } = setup(withCalling(callingView({ calls: [connected()] })));
    const card = await screen.findByRole('region', { name: 'Bob Smith' });
    fireEvent.click(within(card).getByRole('button', { name: 'Transfer' }));
    fireEvent.input(within(card).getByLabelText('Transfer to'), { target: { value: '5001' } });
    update(callingView({ calls: [connected({ transferPending: true })] }));
    const pending = await within(card).findByText('Transferring…');
    expect(pending.getAttribute('aria-live')).toBe('polite');
    const submit = within(card).getByRole('button', { name: 'Transfer now' });
    expect(submit.getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(submit);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(commands()).toEqual([]);
  });

  it.each([
    ['busy', undefined, '5001 is busy.'],
    ['notAnswered', undefined, 'No answer from 5001.'],
    [
      'failed',
      'Called user is not available.',
      'The call to 5001 did not go through: Called user is not available.',
    ],
    ['micBlocked', undefined, 'The call to 5001 did not go through.'],
  ])('an outgoing call that ended %s: "%s"', async (reason, detail, text) => {
    const lastEnded = {
      key: 'out',
      reason,
      callerNumber: '5001',
      at: Date.now(),
      missed: false,
      direction: 'outbound' as const,
      ...(detail ? { detail } : {}),
    };
    setup(withCalling(callingView({ lastEnded })));
    expect((await screen.findByTestId('missed-call')).textContent).toBe(text);
  });

  it('an outgoing call hung up normally: nothing said', async () => {
    const lastEnded = {
      key: 'out',
      reason: 'localHangup',
      callerNumber: '5001',
      at: Date.now(),
      missed: false,
      direction: 'outbound' as const,
    };
    setup(withCalling(callingView({ lastEnded })));
    await dialer();
    expect(screen.queryByTestId('missed-call')).toBeNull();
  });

  it('in Japanese', async () => {
    installLocale('ja');
    const lastEnded = {
      key: 'out',
      reason: 'busy',
      callerNumber: '5001',
      at: Date.now(),
      missed: false,
      direction: 'outbound' as const,
    };
    setup(withCalling(callingView({ lastEnded })));
    expect((await screen.findByTestId('missed-call')).textContent).toBe('5001 は話し中です。');
  });
});
