/**
 * A seeded random schedule: what happens to the background, and when. Generated up front from
 * the seed, so a run replays exactly and a failing schedule can be shrunk by dropping actions.
 * The mix is generic (no action is written for one bug): worker kills, storage faults, alarm
 * faults, clock steps, network and HTTP faults from the reference's error table, extreme server
 * values and the user's own actions, each at a random moment.
 */

/** mulberry32: small, fast and good enough to drive a schedule. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Op = 'register' | 'keepalive' | 'token' | 'ping' | 'delete' | 'discovery';
export type Reply =
  | { status: number; retryAfter?: '0' | 'huge' | 'date'; errorCode?: number }
  | 'network'
  | 'hang';

export type Action =
  | { kind: 'kill' }
  | {
      kind: 'disk';
      key: 'line:record' | 'auth:tokens' | 'scheduler:deadlines';
      fault: 'fail' | 'hang' | 'kill';
    }
  | { kind: 'alarmLate'; byMs: number }
  | { kind: 'alarmTwice' }
  | { kind: 'clock'; byMs: number }
  | { kind: 'offline'; forMs: number }
  | { kind: 'slowBody'; op: Op; delayMs: number }
  | { kind: 'http'; op: Op; reply: Reply; times: number }
  | { kind: 'serverValues'; keepaliveInterval: number; rehomingMin: number; rehomingMax: number }
  /** The network's round trip from now on (half before Mobius acts, half after). */
  | { kind: 'latency'; ms: number }
  /** One Mobius server unreachable for a while (its socket refuses; the other answers). */
  | { kind: 'down'; server: 'primary' | 'backup'; forMs: number }
  | { kind: 'user'; what: 'register' | 'deregister' | 'signOut' | 'signIn' | 'removeDevice' };

export interface Step {
  atMs: number;
  action: Action;
}

const pick = <T>(rand: () => number, items: readonly T[]): T =>
  items[Math.floor(rand() * items.length)] as T;

const OPS: readonly Op[] = [
  'register',
  'keepalive',
  'keepalive',
  'token',
  'ping',
  'delete',
  'discovery',
];
const REPLIES: readonly Reply[] = [
  { status: 429, retryAfter: '0' },
  { status: 429, retryAfter: 'huge' },
  { status: 429, retryAfter: 'date' },
  { status: 404 },
  { status: 409 },
  { status: 403, errorCode: 101 },
  { status: 500 },
  { status: 503 },
  'network',
  'hang',
];

function action(rand: () => number): Action {
  const roll = rand();
  if (roll < 0.12) return { kind: 'kill' };
  if (roll < 0.24)
    return {
      kind: 'disk',
      key: pick(rand, [
        'line:record',
        'line:record',
        'auth:tokens',
        'scheduler:deadlines',
      ] as const),
      fault: pick(rand, ['fail', 'hang', 'kill'] as const),
    };
  if (roll < 0.3) return { kind: 'alarmLate', byMs: Math.floor(rand() * 120_000) };
  if (roll < 0.34) return { kind: 'alarmTwice' };
  if (roll < 0.42) return { kind: 'clock', byMs: Math.floor((rand() * 2 - 1) * 2 * 3_600_000) };
  if (roll < 0.48) return { kind: 'offline', forMs: Math.floor(rand() * 180_000) };
  if (roll < 0.52)
    return { kind: 'slowBody', op: pick(rand, OPS), delayMs: Math.floor(rand() * 30_000) };
  if (roll < 0.55) return { kind: 'latency', ms: pick(rand, [0, 80, 400, 1_500, 4_000]) };
  if (roll < 0.58)
    return {
      kind: 'down',
      server: pick(rand, ['primary', 'primary', 'backup'] as const),
      forMs: Math.floor(rand() * 600_000),
    };
  if (roll < 0.72)
    return {
      kind: 'http',
      op: pick(rand, OPS),
      reply: pick(rand, REPLIES),
      times: 1 + Math.floor(rand() * 6),
    };
  if (roll < 0.76)
    return {
      kind: 'serverValues',
      keepaliveInterval: pick(rand, [0.001, 0, 1, 30, 30, 86_400]),
      rehomingMin: pick(rand, [-5, 0, 1, 60, 90]),
      rehomingMax: pick(rand, [-1, 2, 120, 180, 1e9]),
    };
  return {
    kind: 'user',
    what: pick(rand, [
      'register',
      'register',
      'deregister',
      'signOut',
      'signIn',
      'removeDevice',
    ] as const),
  };
}

/**
 * The Mobius deployment this schedule talks to, applied before the first registration (a step
 * at -1 ms): its keepalive interval and rehoming window vary, as they do between clusters.
 */
function deployment(rand: () => number): Action {
  const rehomingMin = pick(rand, [1, 2, 5, 60]);
  return {
    kind: 'serverValues',
    keepaliveInterval: pick(rand, [30, 30, 15, 60]),
    rehomingMin,
    rehomingMax: rehomingMin + pick(rand, [0, 1, 3, 60]),
  };
}

/**
 * How often something happens, drawn per seed: most days are busy (an action every 20 s on
 * average), some are quiet (every 2 or 5 minutes), and only a quiet one leaves the line alone
 * long enough for slow timers (the failback after an hour on a backup) to matter.
 */
const MEAN_GAPS_MS = [20_000, 20_000, 20_000, 120_000, 300_000] as const;

/** The user's network round trip, drawn per seed (the `latency` action changes it later). */
const NETWORK_ROUND_TRIPS_MS = [20, 60, 150, 400] as const;

/** About one action every `meanGapMs` of simulated time (drawn per seed), for `minutes`. */
export function schedule(seed: number, minutes: number, meanGapMs?: number): Step[] {
  const rand = prng(seed);
  const steps: Step[] = [
    { atMs: -1, action: deployment(rand) },
    // No network answers at once: a round trip from a good office line to a far VPN (from the
    // first moment after the start, which signs in and registers on a fake clock at rest).
    // Drawn from a stream of its own: the actions of a seed stay what they were before.
    { atMs: 0, action: { kind: 'latency', ms: pick(prng(seed + 0x5eed), NETWORK_ROUND_TRIPS_MS) } },
  ];
  const gapMs = meanGapMs ?? pick(rand, MEAN_GAPS_MS);
  const end = minutes * 60_000;
  for (let at = Math.floor(rand() * gapMs); at < end; at += 1 + Math.floor(rand() * 2 * gapMs)) {
    const next = action(rand);
    steps.push({ atMs: at, action: next });
    // People click in bursts: another action of theirs within two seconds a third of the time,
    // and sometimes a third one after it (Deregister, remove a stale device, Register).
    let burstAt = at;
    for (let more = 0; more < 2 && next.kind === 'user' && rand() < 1 / 3; more += 1) {
      const what = pick(rand, ['register', 'deregister', 'removeDevice', 'register'] as const);
      // Mostly quick (the next button is right there), now and then after a second or two.
      burstAt += 1 + Math.floor(rand() ** 2 * 2_000);
      steps.push({ atMs: burstAt, action: { kind: 'user', what } });
    }
  }
  return steps;
}
