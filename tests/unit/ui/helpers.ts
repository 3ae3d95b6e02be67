/**
 * Test helpers for the UI: Chrome's i18n over the real messages.json of each locale, a status
 * snapshot factory, and a fake runtime that answers requests and carries broadcasts, so the
 * real messaging client runs in component tests.
 */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { CallingView, CallView } from '../../../lib/messaging/calls';
import type { PortLike } from '../../../lib/messaging/client';
import type { PageRuntime } from '../../../lib/messaging/page-client';
import type {
  LineErrorPayload,
  LineProperties,
  RequestPayload,
  RequestType,
  Response,
  ResponsePayload,
  StatusSnapshot,
} from '../../../lib/messaging/protocol';
import { LOCKABLE_FIELDS } from '../../../lib/policy/apply';
import type { PolicyView } from '../../../lib/policy/view';

export interface MessageEntry {
  message: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

/** Every locale the extension ships, English (the default and the list of keys) first. */
export const LOCALES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];

export const LOCALES_DIR = resolve(import.meta.dirname, '../../../public/_locales');

export function localeMessages(locale: string): Record<string, MessageEntry> {
  return JSON.parse(readFileSync(resolve(LOCALES_DIR, locale, 'messages.json'), 'utf8'));
}

/** chrome.i18n.getMessage over one locale: named placeholders resolve to `$1`..`$9`. */
export function messageGetter(locale: string) {
  const messages = localeMessages(locale);
  return (key: string, substitutions?: string | string[]): string => {
    const entry = messages[key];
    if (!entry) return '';
    const subs = substitutions === undefined ? [] : ([] as string[]).concat(substitutions);
    const fill = (text: string) =>
      text.replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? '');
    return entry.message
      .replace(/\$([A-Za-z0-9_]+)\$/g, (whole, name: string) => {
        const placeholder = entry.placeholders?.[name.toLowerCase()];
        return placeholder ? fill(placeholder.content) : whole;
      })
      .replace(/\$\$/g, '$');
  };
}

/** chrome.i18n.getMessage over the real English messages.json. */
export const getMessage = messageGetter('en');

/** Chrome's i18n as a browser whose UI language is `locale` (`--lang`) would answer. */
export function installLocale(locale: Locale): void {
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(
    messageGetter(locale) as typeof fakeBrowser.i18n.getMessage,
  );
}

/** English; no parameter, so it can be passed to `beforeEach` as is. */
export function installI18n(): void {
  installLocale('en');
}

export const LINE: LineProperties = {
  lineId: '7f1c2a9e-1111-4b6e-9c1d-000000000001',
  mobiusDeviceId: '0a1b2c3d-2222-4e5f-8a9b-000000000002',
  phoneNumber: '+1 408 555 0100',
  extension: '0100',
  status: 'active',
  sipAddresses: ['alice@example.calls.webex.com'],
  voicemail: '+1 408 555 0199',
  lastSeen: '2026-11-27T10:00:00Z',
  keepaliveInterval: 30,
  callKeepaliveInterval: 60,
  rehomingIntervalMin: 90,
  rehomingIntervalMax: 180,
  voicePortalNumber: 5000,
  voicePortalExtension: 5001,
};

export function snapshot(overrides: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    state: 'active',
    display: 'registered',
    auth: 'signedIn',
    user: { displayName: 'Alice Example', email: 'alice@example.com' },
    line: LINE,
    error: null,
    server: { url: 'https://mobius.example/api/v1', role: 'primary' },
    nextAttemptAt: null,
    retryHoldUntil: null,
    confirmedAt: null,
    since: null,
    confirmBy: null,
    configured: true,
    keepRegistered: true,
    at: 1_000,
    ...overrides,
  };
}

/** The offscreen document's view: ready to ring, the microphone allowed, no calls. */
export function callingView(overrides: Partial<CallingView> = {}): CallingView {
  return { ring: 'ready', mic: 'granted', calls: [], lastEnded: null, at: 1_000, ...overrides };
}

/** A call from Bob, ringing. */
export function callView(overrides: Partial<CallView> = {}): CallView {
  return {
    key: 'call-1',
    state: 'ringing',
    direction: 'inbound',
    held: false,
    callerName: 'Bob Smith',
    callerNumber: '+1 408 555 0142',
    since: 1_000,
    connectedAt: null,
    muted: false,
    micBlocked: false,
    ...overrides,
  };
}

export const signedOut = (overrides: Partial<StatusSnapshot> = {}) =>
  snapshot({
    state: 'idle',
    display: 'inactive',
    auth: 'signedOut',
    user: null,
    line: null,
    ...overrides,
  });

type Handler<T extends RequestType> = (
  payload: RequestPayload<T>,
) => ResponsePayload<T> | Promise<ResponsePayload<T>>;
export type Handlers = { [T in RequestType]?: Handler<T> };

export class RequestRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface FakePort extends PortLike {
  name: string;
  open: boolean;
  deliver(message: unknown): void;
  /** The other end went away (the service worker stopped). */
  drop(): void;
}

/**
 * A runtime whose `sendMessage` answers from `handlers` as the background would. It has an
 * `id` until `invalidate()`, as a content script's `chrome.runtime` loses its id once the
 * extension is reloaded or removed.
 */
export function fakeRuntime(handlers: Handlers) {
  const sent: Array<{ type: string; payload: unknown }> = [];
  const ports: FakePort[] = [];
  let id: string | undefined = 'fakeextensionid';
  let idReads = 0;

  const runtime: PageRuntime = {
    get id() {
      idReads += 1;
      return id;
    },
    async sendMessage(message) {
      const { type, payload } = message as { type: RequestType; payload: never };
      sent.push({ type, payload });
      const handler = handlers[type] as ((payload: unknown) => unknown) | undefined;
      if (!handler) return undefined;
      try {
        return { ok: true, value: await handler(payload) } satisfies Response<unknown>;
      } catch (error) {
        const code = error instanceof RequestRefused ? error.code : 'failed';
        return { ok: false, error: { code, message: (error as Error).message } };
      }
    },
    connect({ name }) {
      const messageListeners: Array<(message: unknown) => void> = [];
      const disconnectListeners: Array<() => void> = [];
      const port: FakePort = {
        name,
        open: true,
        onMessage: { addListener: (cb) => messageListeners.push(cb) },
        onDisconnect: { addListener: (cb) => disconnectListeners.push(cb) },
        disconnect() {
          port.open = false;
        },
        deliver(message) {
          if (port.open) for (const cb of messageListeners) cb(message);
        },
        drop() {
          port.open = false;
          for (const cb of disconnectListeners) cb();
        },
      };
      ports.push(port);
      return port;
    },
  };

  return {
    runtime,
    sent,
    ports,
    /** Requests of one type, in order. */
    sentOf: (type: RequestType) => sent.filter((m) => m.type === type),
    /** The extension went away: the id is gone, and so is every open port. */
    invalidate() {
      id = undefined;
      for (const port of ports) if (port.open) port.drop();
    },
    /** The extension went away and Chrome tells this context nothing more: only the id goes. */
    orphan() {
      id = undefined;
    },
    /** How often the client asked for `id`. */
    get idReads() {
      return idReads;
    },
    /** Deliver a message on every open port with this name. */
    broadcast(name: string, message: unknown) {
      for (const port of ports) if (port.name === name && port.open) port.deliver(message);
    },
  };
}

/** The seed's three error payloads, with the action the engine attaches. */
export const SEED_ERRORS = {
  tokenExpired: {
    status: 'inactive',
    type: 'tokenError',
    msg: 'Token expired. Authentication/Authorization error.',
    detail: { action: 'signIn' },
  },
  deviceNotFound: {
    status: 'inactive',
    type: 'registrationError',
    msg: 'Device not found.',
    detail: { action: 'retry' },
  },
  deviceLimit: {
    status: 'inactive',
    type: 'registrationError',
    msg: 'Device limit exceeded. The user already logged in to a different device.',
    detail: { action: 'retry' },
  },
} as const satisfies Record<string, LineErrorPayload>;

/** The policy part of a settings view: nothing managed, or what `overrides` says. */
export function policyView(overrides: Partial<PolicyView> = {}): PolicyView {
  return {
    managed: false,
    locked: Object.fromEntries(
      LOCKABLE_FIELDS.map((field) => [field, false]),
    ) as PolicyView['locked'],
    policySites: [],
    problems: [],
    ...overrides,
  };
}
