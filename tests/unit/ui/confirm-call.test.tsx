// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ARM_DELAY_MS,
  ConfirmCall,
  type ConfirmCallEnv,
} from '../../../entrypoints/confirm-call/ConfirmCall';
import type { PageCallDetails } from '../../../lib/messaging/protocol';
import { installI18n, installLocale } from './helpers';

const waiting: PageCallDetails = {
  number: '+14085550100',
  origin: 'https://crm.example.com',
  state: 'confirming',
};

function env(overrides: Partial<ConfirmCallEnv> = {}) {
  const events = new EventTarget();
  let focused = true;
  const value = {
    requestId: 'request-1',
    details: vi.fn(async (_id: string) => waiting),
    confirm: vi.fn(
      async (_id: string, accept: boolean): Promise<PageCallDetails> => ({
        ...waiting,
        state: accept ? 'ringing' : 'refused',
      }),
    ),
    close: vi.fn(),
    focused: () => focused,
    events: events as unknown as ConfirmCallEnv['events'],
    ...overrides,
  };
  return {
    env: value,
    blur: () => {
      focused = false;
      events.dispatchEvent(new Event('blur'));
    },
    focus: () => {
      focused = true;
      events.dispatchEvent(new Event('focus'));
    },
    key: (key: string) => {
      const event = new Event('keydown') as Event & { key: string };
      Object.defineProperty(event, 'key', { value: key });
      events.dispatchEvent(event);
    },
  };
}

/** Let the details request resolve and the component render it. */
const settle = async () => {
  await act(async () => {
    await Promise.resolve();
  });
};

const callButton = () => screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement;
const cancelButton = () => screen.getByRole('button', { name: 'Cancel' }) as HTMLButtonElement;

beforeEach(() => {
  installI18n();
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the call confirmation window', () => {
  it('shows the number and the site that asks; Call sends an accept for its request, then closes', async () => {
    const rig = env();
    render(<ConfirmCall env={rig.env} />);
    await settle();
    expect(rig.env.details).toHaveBeenCalledWith('request-1');
    expect(screen.getByTestId('confirm-number').textContent).toBe('+14085550100');
    expect(
      screen.getByText('https://crm.example.com asks to call this number with your Webex line:'),
    ).toBeTruthy();
    // Cancel has the focus: a key press meant for the page refuses, never dials.
    expect(document.activeElement).toBe(cancelButton());
    act(() => {
      vi.advanceTimersByTime(ARM_DELAY_MS);
    });
    fireEvent.click(callButton());
    await settle();
    expect(rig.env.confirm).toHaveBeenCalledExactlyOnceWith('request-1', true);
    expect(rig.env.close).toHaveBeenCalled();
  });

  it('Cancel and Escape send a refusal', async () => {
    const rig = env();
    render(<ConfirmCall env={rig.env} />);
    await settle();
    fireEvent.click(cancelButton());
    await settle();
    expect(rig.env.confirm).toHaveBeenCalledExactlyOnceWith('request-1', false);
    expect(rig.env.close).toHaveBeenCalled();
    cleanup();

    const again = env();
    render(<ConfirmCall env={again.env} />);
    await settle();
    act(() => again.key('Escape'));
    await settle();
    expect(again.env.confirm).toHaveBeenCalledExactlyOnceWith('request-1', false);
  });

  it('Call works only after the window has had the focus for a moment, without a break', async () => {
    const rig = env();
    render(<ConfirmCall env={rig.env} />);
    await settle();
    expect(callButton().disabled).toBe(true);
    fireEvent.click(callButton());
    act(() => {
      vi.advanceTimersByTime(ARM_DELAY_MS - 100);
    });
    act(() => rig.blur());
    act(() => rig.focus());
    act(() => {
      vi.advanceTimersByTime(ARM_DELAY_MS - 100);
    });
    expect(callButton().disabled).toBe(true);
    act(() => {
      vi.advanceTimersByTime(100);
    });
    expect(callButton().disabled).toBe(false);
    expect(rig.env.confirm).not.toHaveBeenCalled();
  });

  it('a request no longer waiting, or not its own, offers only Close', async () => {
    const rig = env({
      details: vi.fn(async () => {
        throw new Error('Only its own window may answer a call request.');
      }),
    });
    render(<ConfirmCall env={rig.env} />);
    await settle();
    expect(screen.getByTestId('confirm-result').textContent).toBe(
      'This call request is no longer waiting. You can close this window.',
    );
    expect(screen.queryByRole('button', { name: 'Call' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(rig.env.close).toHaveBeenCalled();
    expect(rig.env.confirm).not.toHaveBeenCalled();
  });

  it('a dial that fails is said in the window', async () => {
    const rig = env({
      confirm: vi.fn(async () => ({ ...waiting, state: 'failed' as const })),
    });
    render(<ConfirmCall env={rig.env} />);
    await settle();
    act(() => {
      vi.advanceTimersByTime(ARM_DELAY_MS);
    });
    fireEvent.click(callButton());
    await settle();
    expect(screen.getByTestId('confirm-result').textContent).toContain(
      'The call could not be placed.',
    );
    expect(rig.env.close).not.toHaveBeenCalled();
  });

  it('has no accessibility violations (axe), asking and after', async () => {
    vi.useRealTimers();
    document.documentElement.lang = 'en';
    document.title = 'Webex Line: place a call?';
    const run = async () =>
      (
        await axe.run(document.body, {
          rules: { 'color-contrast': { enabled: false } },
          resultTypes: ['violations'],
        })
      ).violations.map((v) => v.id);
    render(<ConfirmCall env={env().env} />);
    await screen.findByTestId('confirm-number');
    expect(await run()).toEqual([]);
    cleanup();
    render(
      <ConfirmCall
        env={env({ details: vi.fn(async () => ({ ...waiting, state: 'ended' as const })) }).env}
      />,
    );
    await screen.findByTestId('confirm-result');
    expect(await run()).toEqual([]);
  });

  it('speaks the browser language', async () => {
    installLocale('de');
    const rig = env();
    render(<ConfirmCall env={rig.env} />);
    await settle();
    expect(screen.getByRole('button', { name: 'Anrufen' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Abbrechen' })).toBeTruthy();
  });
});
