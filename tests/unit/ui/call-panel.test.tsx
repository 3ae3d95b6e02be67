// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Popup, type PopupEnv } from '../../../entrypoints/popup/Popup';
import type { CallingView } from '../../../lib/messaging/calls';
import { createMessagingClient } from '../../../lib/messaging/client';
import { STATUS_PORT, type StatusSnapshot } from '../../../lib/messaging/protocol';
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

function setup(initial: StatusSnapshot, handlers: Handlers = {}) {
  const fake = fakeRuntime({
    'status/get': () => initial,
    'sites/list': () => ({ sites: [] }),
    'calls/command': () => initial.calling ?? callingView(),
    ...handlers,
  });
  const env: PopupEnv = {
    openOptions: vi.fn(),
    activeTabOrigin: vi.fn(async () => null),
    openMicrophone: vi.fn(),
  };
  render(<Popup client={createMessagingClient(fake.runtime)} env={env} />);
  let at = initial.at;
  /** The service worker broadcasts a newer snapshot with this calling view. */
  const update = (calling: CallingView, overrides: Partial<StatusSnapshot> = {}) => {
    at += 1_000;
    fake.broadcast(STATUS_PORT, {
      kind: 'snapshot',
      snapshot: { ...initial, ...overrides, calling, at },
    });
  };
  const commands = () => fake.sentOf('calls/command').map((m) => m.payload);
  return { fake, env, update, commands };
}

const withCalling = (calling: CallingView, overrides: Partial<StatusSnapshot> = {}) =>
  snapshot({ calling, ...overrides });

const ringStatus = () => screen.queryByTestId('ring-status');

beforeEach(installI18n);
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('call panel: whether the line can ring', () => {
  it.each([
    ['ready', 'Ready for calls'],
    ['connecting', "Can't receive calls: reconnecting to Webex"],
    ['unsupported', "This browser can't take calls; the line stays registered"],
  ] as const)('ring %s: "%s"', async (ring, text) => {
    setup(withCalling(callingView({ ring })));
    await screen.findByText(text);
    expect(ringStatus()?.className).toBe(`ring-status ${ring}`);
  });

  it('ring off: no readiness line, and no calls area at all', async () => {
    setup(withCalling(callingView({ ring: 'off', mic: 'prompt' })));
    await screen.findByText('Alice Example');
    expect(ringStatus()).toBeNull();
    expect(screen.queryByRole('region', { name: 'Calls' })).toBeNull();
  });

  it('no calling view yet: nothing about calls', async () => {
    setup(snapshot());
    await screen.findByText('Alice Example');
    expect(screen.queryByRole('region', { name: 'Calls' })).toBeNull();
  });

  it('never "ready" while the line itself is reconnecting; nothing while it is not registered', async () => {
    const { update } = setup(
      withCalling(callingView({ ring: 'ready' }), {
        state: 'reconnecting',
        display: 'reconnecting',
      }),
    );
    await screen.findByText("Can't receive calls: reconnecting to Webex");
    expect(ringStatus()?.className).toBe('ring-status connecting');
    update(callingView({ ring: 'ready' }), { state: 'inactive', display: 'error' });
    await waitFor(() => expect(ringStatus()).toBeNull());
  });

  it('a registered line whose confirmation is overdue is not "ready" either', async () => {
    setup(withCalling(callingView({ ring: 'ready' }), { confirmBy: 1 }));
    await screen.findByText("Can't receive calls: reconnecting to Webex");
    expect(screen.queryByText('Ready for calls')).toBeNull();
  });
});

describe('call panel: the microphone', () => {
  it('denied: "Microphone blocked:" with Allow, which opens the microphone page', async () => {
    const { env } = setup(withCalling(callingView({ mic: 'denied' })));
    await screen.findByText('Microphone blocked:');
    const allow = screen.getByRole('button', { name: 'Allow' });
    expect(allow.getAttribute('aria-describedby')).toBe('mic-blocked');
    fireEvent.click(allow);
    expect(env.openMicrophone).toHaveBeenCalledTimes(1);
  });

  it.each(['prompt', 'unknown'] as const)('%s: a calm link to allow it', async (mic) => {
    const { env } = setup(withCalling(callingView({ mic })));
    fireEvent.click(
      await screen.findByRole('button', { name: 'Allow the microphone to answer calls' }),
    );
    expect(env.openMicrophone).toHaveBeenCalledTimes(1);
    expect(screen.queryByText('Microphone blocked:')).toBeNull();
  });

  it('granted: nothing about the microphone', async () => {
    setup(withCalling(callingView({ mic: 'granted' })));
    await screen.findByText('Ready for calls');
    expect(screen.queryByText('Microphone blocked:')).toBeNull();
    expect(screen.queryByRole('button', { name: /microphone/i })).toBeNull();
  });

  it('nothing about the microphone where calls cannot ring (off, unsupported)', async () => {
    const { update } = setup(withCalling(callingView({ ring: 'off', mic: 'denied' })));
    await screen.findByText('Alice Example');
    expect(screen.queryByText('Microphone blocked:')).toBeNull();
    update(callingView({ ring: 'unsupported', mic: 'prompt' }));
    await screen.findByText("This browser can't take calls; the line stays registered");
    expect(
      screen.queryByRole('button', { name: 'Allow the microphone to answer calls' }),
    ).toBeNull();
  });
});

describe('call panel: a ringing call', () => {
  it('announces the caller (name and number) with Answer and Decline', async () => {
    setup(withCalling(callingView({ calls: [callView()] })));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Incoming call');
    expect(alert.textContent).toContain('Bob Smith');
    expect(alert.textContent).toContain('+1 408 555 0142');
    const card = screen.getByRole('region', { name: 'Bob Smith' });
    const buttons = within(card).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Answer', 'Decline']);
    expect(buttons[0]?.className).toContain('primary');
  });

  it.each([
    ['only a number', { callerName: undefined }, '+1 408 555 0142'],
    [
      'neither name nor number',
      { callerName: undefined, callerNumber: undefined },
      'Unknown caller',
    ],
    ['a blank name', { callerName: '  ' }, '+1 408 555 0142'],
  ])('with %s, the title is "%s"', async (_, overrides, title) => {
    setup(withCalling(callingView({ calls: [callView(overrides)] })));
    const card = await screen.findByRole('region', { name: title });
    expect(card.querySelector('.caller-number')).toBeNull();
  });

  it('Answer sends one answer command, however often it is clicked, until the view changes', async () => {
    const { update, commands } = setup(withCalling(callingView({ calls: [callView()] })));
    const answer = await screen.findByRole('button', { name: 'Answer' });
    // Two clicks before the popup renders again (a double-click in one frame), then more.
    answer.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    answer.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await waitFor(() => expect(answer.getAttribute('aria-disabled')).toBe('true'));
    fireEvent.click(answer);
    fireEvent.click(screen.getByRole('button', { name: 'Decline' }));
    await waitFor(() => expect(commands()).toHaveLength(1));
    expect(commands()).toEqual([{ command: { kind: 'answer', key: 'call-1' } }]);
    expect(screen.getByRole('button', { name: 'Decline' }).getAttribute('aria-disabled')).toBe(
      'true',
    );

    update(callingView({ calls: [callView({ state: 'answering' })] }));
    await screen.findByText('Connecting…');
    const hangUp = screen.getByRole('button', { name: 'Hang up' });
    expect(hangUp.getAttribute('aria-disabled')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Answer' })).toBeNull();
    fireEvent.click(hangUp);
    fireEvent.click(hangUp);
    await waitFor(() => expect(commands()).toHaveLength(2));
    expect(commands()[1]).toEqual({ command: { kind: 'hangup', key: 'call-1' } });
  });

  it('Decline sends one decline command', async () => {
    const { commands } = setup(withCalling(callingView({ calls: [callView()] })));
    const decline = await screen.findByRole('button', { name: 'Decline' });
    fireEvent.click(decline);
    fireEvent.click(decline);
    await waitFor(() => expect(commands()).toHaveLength(1));
    expect(commands()).toEqual([{ command: { kind: 'decline', key: 'call-1' } }]);
  });

  it('a refused command says why and may be tried again', async () => {
    let refuse = true;
    const { commands } = setup(withCalling(callingView({ calls: [callView()] })), {
      'calls/command': () => {
        if (refuse) throw new RequestRefused('no-call', 'That call has ended.');
        return callingView();
      },
    });
    const answer = await screen.findByRole('button', { name: 'Answer' });
    fireEvent.click(answer);
    expect((await screen.findByText('That call has ended.')).getAttribute('role')).toBe('alert');
    await waitFor(() => expect(answer.getAttribute('aria-disabled')).toBeNull());
    refuse = false;
    fireEvent.click(answer);
    await waitFor(() => expect(commands()).toHaveLength(2));
    await waitFor(() => expect(screen.queryByText('That call has ended.')).toBeNull());
  });

  it('the keyboard stays in the call when Answer gives way to Hang up', async () => {
    const { update } = setup(withCalling(callingView({ calls: [callView()] })));
    const answer = await screen.findByRole('button', { name: 'Answer' });
    answer.focus();
    fireEvent.click(answer);
    update(callingView({ calls: [callView({ state: 'answering' })] }));
    const hangUp = await screen.findByRole('button', { name: 'Hang up' });
    await waitFor(() => expect(document.activeElement).toBe(hangUp));
  });

  it('microphone blocked: no Answer, a way to allow it, and it rings elsewhere', async () => {
    const { env, commands } = setup(
      withCalling(callingView({ mic: 'denied', calls: [callView({ micBlocked: true })] })),
    );
    const card = await screen.findByRole('region', { name: 'Bob Smith' });
    expect(within(card).queryByRole('button', { name: 'Answer' })).toBeNull();
    expect(within(card).getByText('Microphone blocked:')).toBeTruthy();
    expect(within(card).getByText('It keeps ringing on your other devices.')).toBeTruthy();
    // Said once, in the call, not again under it.
    expect(screen.getAllByText('Microphone blocked:')).toHaveLength(1);
    fireEvent.click(within(card).getByRole('button', { name: 'Allow' }));
    expect(env.openMicrophone).toHaveBeenCalledTimes(1);
    fireEvent.click(within(card).getByRole('button', { name: 'Decline' }));
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'decline', key: 'call-1' } }]),
    );
  });
});

describe('call panel: a connected call', () => {
  const connected = (overrides = {}) =>
    callView({ state: 'connected', connectedAt: Date.now() - 65_000, ...overrides });

  it('shows the caller, a running mm:ss timer, Mute (a toggle) and Hang up', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(new Date(2026, 10, 27, 13, 0, 0));
    setup(withCalling(callingView({ calls: [connected()] })));
    const card = await screen.findByRole('region', { name: 'Bob Smith' });
    expect(within(card).getByText('On a call')).toBeTruthy();
    const timer = within(card).getByRole('timer');
    expect(timer.textContent).toBe('01:05');
    await act(() => {
      vi.advanceTimersByTime(3_000);
    });
    expect(timer.textContent).toBe('01:08');
    await act(() => {
      vi.advanceTimersByTime(60 * 60_000);
    });
    expect(timer.textContent).toBe('1:01:08');
    const buttons = within(card).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual([
      'Mute',
      'Hold',
      'Keypad',
      'Transfer',
      'Hang up',
    ]);
    expect(buttons[0]?.getAttribute('aria-pressed')).toBe('false');
    expect(within(card).queryByRole('alert')).toBeNull();
  });

  it('Mute sends mute true once; muted, it is pressed and sends mute false', async () => {
    const { update, commands } = setup(withCalling(callingView({ calls: [connected()] })));
    const mute = await screen.findByRole('button', { name: 'Mute' });
    fireEvent.click(mute);
    fireEvent.click(mute);
    await waitFor(() => expect(commands()).toHaveLength(1));
    expect(commands()).toEqual([{ command: { kind: 'mute', key: 'call-1', muted: true } }]);

    update(callingView({ calls: [connected({ muted: true })] }));
    await waitFor(() => expect(mute.getAttribute('aria-pressed')).toBe('true'));
    expect(screen.getByText('Muted')).toBeTruthy();
    expect(mute.getAttribute('aria-disabled')).toBeNull();
    fireEvent.click(mute);
    await waitFor(() => expect(commands()).toHaveLength(2));
    expect(commands()[1]).toEqual({ command: { kind: 'mute', key: 'call-1', muted: false } });
  });

  it('Hang up sends hangup', async () => {
    const { commands } = setup(withCalling(callingView({ calls: [connected()] })));
    fireEvent.click(await screen.findByRole('button', { name: 'Hang up' }));
    await waitFor(() =>
      expect(commands()).toEqual([{ command: { kind: 'hangup', key: 'call-1' } }]),
    );
  });

  it('two calls: each has its own buttons and commands', async () => {
    const { commands } = setup(
      withCalling(
        callingView({
          calls: [connected(), callView({ key: 'call-2', callerName: 'Carol', callerNumber: '' })],
        }),
      ),
    );
    const ringing = await screen.findByRole('region', { name: 'Carol' });
    fireEvent.click(within(ringing).getByRole('button', { name: 'Answer' }));
    const talking = screen.getByRole('region', { name: 'Bob Smith' });
    fireEvent.click(within(talking).getByRole('button', { name: 'Hang up' }));
    await waitFor(() => expect(commands()).toHaveLength(2));
    expect(commands()).toEqual([
      { command: { kind: 'answer', key: 'call-2' } },
      { command: { kind: 'hangup', key: 'call-1' } },
    ]);
  });
});

describe('call panel: a missed call', () => {
  it('"Missed call from X at 1:23 PM" for ten minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const at = new Date(2026, 10, 27, 13, 23, 40).getTime();
    vi.setSystemTime(at + 60_000);
    const lastEnded = { key: 'c', reason: 'missed', callerName: 'Bob Smith', at, missed: true };
    setup(withCalling(callingView({ lastEnded })));
    const notice = await screen.findByTestId('missed-call');
    expect(notice.textContent).toMatch(/^Missed call from Bob Smith at 1:23\sPM$/);
    await act(() => {
      vi.advanceTimersByTime(9 * 60_000 + 1_000);
    });
    expect(screen.queryByTestId('missed-call')).toBeNull();
  });

  it('names the number when there is no name, and only the time without either', async () => {
    const at = Date.now() - 1_000;
    const lastEnded = {
      key: 'c',
      reason: 'missed',
      callerNumber: '+1 408 555 0142',
      at,
      missed: true,
    };
    const { update } = setup(withCalling(callingView({ lastEnded })));
    expect((await screen.findByTestId('missed-call')).textContent).toContain(
      'Missed call from +1 408 555 0142 at',
    );
    update(callingView({ lastEnded: { key: 'c', reason: 'missed', at, missed: true } }));
    await waitFor(() =>
      expect(screen.getByTestId('missed-call').textContent).toMatch(/^Missed call at \d/),
    );
  });

  it('a call that was taken (or declined here) is no missed call', async () => {
    const lastEnded = {
      key: 'c',
      reason: 'hangup',
      callerName: 'Bob',
      at: Date.now(),
      missed: false,
    };
    setup(withCalling(callingView({ lastEnded })));
    await screen.findByText('Ready for calls');
    expect(screen.queryByTestId('missed-call')).toBeNull();
  });
});

describe('call panel: other languages', () => {
  it('German: the buttons and the readiness line', async () => {
    installLocale('de');
    setup(withCalling(callingView({ calls: [callView()] })));
    await screen.findByRole('button', { name: 'Annehmen' });
    expect(screen.getByRole('button', { name: 'Ablehnen' })).toBeTruthy();
    expect(screen.getByText('Bereit für Anrufe')).toBeTruthy();
  });
});
