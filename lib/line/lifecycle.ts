/**
 * The events that start, stop or resume work: the user's register / deregister, browser
 * start-up, a worker waking (maybe after dying mid-request), sign-in and sign-out, a lost token,
 * the network going and coming, and the retry and watchdog timers. Pure, like the whole table.
 */
import type { LineErrorPayload } from '../webex/line-contract';
import { resumeAttempt, scheduleAttempt, startAttempt } from './attempt';
import { mustWaitForCalls, restoreOrDefer } from './deferred-restore';
import type { Effects, EngineEvent, TransitionContext } from './events';
import { deregisterFlow, type Flow } from './flow';
import { DUE_SLACK_MS, sendKeepalive, unconfirmed } from './keepalive';
import { keepaliveDelayMs } from './policy';
import { type EngineRecord, isRegistered, registeredDevice, unconfirmedOf } from './record';
import { clearRuntime, dropDevice, setFlow, toConnecting, toInactive } from './states';

type Ctx = TransitionContext;
type Of<K extends EngineEvent['kind']> = Extract<EngineEvent, { kind: K }>;

const waitingToRestore = (flow: Flow | null) =>
  flow?.kind === 'attempt' && flow.phase === 'wait' && flow.plan.kind === 'restore';

export function onRegister(record: EngineRecord, event: Of<'register'>, ctx: Ctx, out: Effects) {
  const flow = record.flow;
  record.wanted = true;
  if (flow?.kind === 'deregister') {
    // A deregistration is finishing (maybe one a killed worker left): then register afresh,
    // and show the click at once rather than "idle" while its DELETE runs (up to its deadline).
    flow.thenRegister = event.blocked === null;
    if (flow.thenRegister && record.state === 'idle') toConnecting(record, out);
    return;
  }
  if (flow?.kind === 'signOut') return;
  if (flow?.kind === 'tidy' && !isRegistered(record)) {
    // "Your devices" is removing a device: register once it is gone (this was dropped before).
    // A blocked register says why now (the leftover stays listed for the next clean-up).
    if (event.blocked) return register(record, out, event.blocked, event.evict);
    flow.thenRegister = { evict: event.evict };
    if (record.state !== 'connecting') toConnecting(record, out);
    return;
  }
  if (flow) {
    // Already working on it. A user asking again while we wait means "now" ("Try now"), unless
    // a server's Retry-After still runs: nothing goes to it before then.
    if (flow.kind === 'attempt' && flow.phase === 'wait') {
      const hold = record.retryHoldUntil;
      if (hold !== null && hold > ctx.now) {
        out.log('line', "Try now waits for the server's Retry-After", { until: hold });
        return;
      }
      resumeAttempt(record, flow);
    }
    return;
  }
  if (isRegistered(record)) return;
  register(record, out, event.blocked, event.evict);
}

function register(
  record: EngineRecord,
  out: Effects,
  blocked: LineErrorPayload | null,
  evict: boolean,
) {
  if (blocked) return toInactive(record, out, blocked);
  toConnecting(record, out);
  startAttempt(record, { kind: 'register' }, evict);
}

export function onDeregister(record: EngineRecord) {
  record.wanted = false;
  // A sign-out under way deletes every device too, and then ends the session: replacing it
  // would leave the session (and its WDM device) behind (simulation seed 2100).
  if (record.flow?.kind === 'signOut') return;
  // What was in flight finishes first (its outcome is absorbed); then the devices go.
  setFlow(record, {
    kind: 'deregister',
    cursor: 0,
    byUser: true,
    announce: true,
    thenRegister: false,
  });
  record.retryAt = null;
  record.target = null;
}

/** Browser start-up / install / update: the previous session's device (if any) goes first. */
export function onStartup(record: EngineRecord, event: Of<'startup'>, _ctx: Ctx, out: Effects) {
  // Browser start-up registers whenever the preference is on; an update or install re-registers
  // only a line that was registered.
  const thenRegister =
    event.keepRegistered && event.signedIn && (event.reason === 'browserStartup' || record.wanted);
  const hasDevice = record.device !== null || record.leftovers.length > 0;
  if (!thenRegister && !hasDevice && record.state === 'idle') return;
  const announce = record.device !== null;
  clearRuntime(record);
  record.wanted = thenRegister;
  if (thenRegister) {
    toConnecting(record, out);
    startAttempt(record, { kind: 'register' }, true);
    return;
  }
  setFlow(record, deregisterFlow(false, announce));
}

/**
 * This worker's first event: a request the previous worker had in flight never answered. A
 * registration POST may have made a device (checked at that server before any other POST);
 * any other request is simply made again, from the flow's current phase. A keepalive is not
 * resent: the next one was armed before it went out.
 */
export function onWake(record: EngineRecord, event: Of<'wake'>, ctx: Ctx, out: Effects) {
  if (event.reason === 'resumed') return confirmNow(record, ctx, out);
  const lost = record.pending;
  if (!lost) return;
  out.log('line', 'Resuming after an interrupted request', { request: lost.tag });
  record.pending = null;
  if (lost.tag === 'register' && lost.serverUrl) {
    record.unconfirmed.push(unconfirmedOf(lost.serverUrl, lost.sentAt, lost.clientDeviceUri));
  }
  const flow = record.flow;
  const ours = lost.flowSeq === record.flowSeq;
  if (flow?.kind === 'attempt' && lost.tag === 'register' && ours && flow.context) {
    flow.phase = 'verify';
  }
}

/**
 * Time jumped (sleep, a frozen browser, the machine back from idle): unless the server
 * confirmed the line within one interval, confirm it at once, and say `reconnecting` meanwhile.
 */
function confirmNow(record: EngineRecord, ctx: Ctx, out: Effects) {
  const device = registeredDevice(record);
  // A re-registration waiting for a call has stopped the keepalives: nothing to confirm.
  if (!device || record.flow || record.pending || record.restorePending) return;
  const interval = keepaliveDelayMs(device.keepaliveInterval, ctx.timing);
  const confirmed = record.confirmedAt ?? 0;
  if (ctx.now - confirmed <= interval + ctx.timing.overdueToleranceMs) return;
  out.log('line', 'Woke from sleep; confirming the registration now', {
    sinceConfirmedMs: ctx.now - confirmed,
  });
  unconfirmed(record, out);
  sendKeepalive(record, ctx, out);
}

export function onSignedIn(record: EngineRecord, event: Of<'signedIn'>, _ctx: Ctx, out: Effects) {
  if (record.error?.type === 'tokenError') {
    record.error = null;
    if (record.state === 'inactive') record.state = 'idle';
  }
  if (event.keepRegistered && record.wanted && record.state === 'idle' && !record.flow) {
    register(record, out, event.blocked, true);
  }
}

/** Sign-out: the line is forgotten at once (persisted), then its devices and the session go. */
export function onSignOut(record: EngineRecord) {
  const announce = record.device !== null || record.state !== 'idle';
  dropDevice(record);
  clearRuntime(record);
  record.state = 'idle';
  record.wanted = false;
  record.deregistered = false;
  record.error = null;
  record.lastServer = null;
  record.rehoming = null;
  record.confirmedAt = null;
  setFlow(record, { kind: 'signOut', phase: 'cleanup', cursor: 0, announce });
}

export function onTokenLost(record: EngineRecord, event: Of<'tokenLost'>, _ctx: Ctx, out: Effects) {
  if (record.state === 'idle' || record.flow?.kind === 'signOut') return;
  if (record.state === 'inactive' && record.error?.type === 'tokenError') return;
  const wasRegistered = record.device !== null;
  toInactive(record, out, event.error);
  if (wasRegistered) out.emit('unregistered');
}

/** Network lost / back (§11 handleConnectionRestoration, without Mercury). */
export function onNetwork(record: EngineRecord, event: Of<'network'>, ctx: Ctx, out: Effects) {
  if (!event.online) {
    // A re-registration already waits for a call to end; it runs then, online or not.
    if (!isRegistered(record) || record.flow || record.pending || record.restorePending) return;
    const wasActive = record.state === 'active';
    record.state = 'reconnecting';
    record.keepaliveAt = null;
    // The backstop in case the "online" signal never comes (a worker restarted meanwhile).
    scheduleAttempt(record, { kind: 'restore', reason: 'network' }, ctx, ctx.timing.networkFlapMs);
    if (wasActive) out.emit('reconnecting');
    return;
  }
  if (!record.wanted) return;
  const flow = record.flow;
  if (flow?.kind === 'attempt' && waitingToRestore(flow)) {
    record.offlineTries = 0;
    // SDK: back online, it waits until no call is active before restoring the connection.
    if (mustWaitForCalls(record, ctx)) return restoreOrDefer(record, 'network', ctx, out);
    resumeAttempt(record, flow);
    return;
  }
  if (flow || record.pending) return;
  if (record.state === 'reconnecting' && record.device) {
    restoreOrDefer(record, 'network', ctx, out);
    return;
  }
  if (record.state === 'inactive' && record.error?.detail?.sdkType === 'service_unavailable') {
    // The retries ran out, probably while offline: try again now that the network is back.
    toConnecting(record, out);
    startAttempt(record, { kind: 'register' }, true);
  }
}

/** `line:retry`: a waiting attempt's time has come. */
export function onRetryTimer(record: EngineRecord, ctx: Ctx, out: Effects) {
  const flow = record.flow;
  if (flow?.kind !== 'attempt' || flow.phase !== 'wait') {
    record.retryAt = null;
    return;
  }
  if (record.retryAt !== null && record.retryAt > ctx.now + DUE_SLACK_MS) return;
  // The network restore's backstop (the device still there): not while a call uses it.
  if (flow.plan.kind === 'restore' && mustWaitForCalls(record, ctx)) {
    return restoreOrDefer(record, flow.plan.reason, ctx, out);
  }
  resumeAttempt(record, flow);
}

/** `line:watchdog`: a request in flight is long past its deadline: it is lost. */
export function onWatchdogTimer(record: EngineRecord, ctx: Ctx, out: Effects) {
  const pending = record.pending;
  if (!pending || pending.deadlineAt + ctx.timing.watchdogSlackMs > ctx.now + DUE_SLACK_MS) return;
  onWake(record, { kind: 'wake', reason: 'worker' }, ctx, out);
}

/**
 * The user removes a device from the options page. Never the line's own (that is Deregister);
 * any other is deleted like a leftover, one request at a time, now or after the current work.
 */
export function onRemoveDevice(
  record: EngineRecord,
  event: Of<'removeDevice'>,
  _ctx: Ctx,
  out: Effects,
) {
  const { device } = event;
  if (record.device?.deviceId === device.deviceId) {
    out.log('line', "Not removing the line's own device: deregister instead");
    return;
  }
  if (!record.leftovers.some((l) => l.deviceId === device.deviceId)) record.leftovers.push(device);
  if (!record.flow) setFlow(record, { kind: 'tidy', cursor: 0 });
}
