import type { Clock } from '../../lib/ports';
import { AuthorizationStore } from './authorizations';
import { CallStore } from './call-store';
import { CalleeRegistry } from './callees';
import { EmulatorClock } from './clock';
import { FaultQueue } from './faults';
import { IntegrationRegistry } from './integrations';
import { MercuryServer } from './mercury';
import { type Liveness, type MobiusDevice, MobiusStore } from './mobius-store';
import { RequestLog } from './request-log';
import { StalledResponses } from './stalls';
import { TokenStore } from './tokens';
import type { EmulatorConfig, EmulatorUrls, MobiusServerName } from './types';
import { TEST_USERS } from './users';
import { WdmStore } from './wdm-store';

/** SIP domain of the org's Webex Calling addresses. */
export const SIP_DOMAIN = '75029411.us10.bcld.webex.com';

/** How old Carol's seeded "other browser" devices are (oldest first), in minutes. */
const SEEDED_DEVICE_AGE_MIN = 180;

/** Everything the emulator knows; handlers read and change it, reset() restores it. */
export class EmulatorState {
  readonly clock: EmulatorClock;
  readonly config: EmulatorConfig;
  readonly integrations = new IntegrationRegistry();
  readonly authorizations = new AuthorizationStore();
  readonly tokens = new TokenStore();
  readonly wdm: WdmStore;
  readonly mobius = new MobiusStore();
  readonly faults = new FaultQueue();
  readonly log = new RequestLog();
  readonly stalls = new StalledResponses();
  readonly mercury: MercuryServer = new MercuryServer(this);
  readonly calls = new CallStore();
  /** Who answers the numbers the user dials (§5), per number, with a default. */
  readonly callees = new CalleeRegistry();

  constructor(
    clock: Clock | undefined,
    private readonly startConfig: EmulatorConfig,
    readonly urls: EmulatorUrls,
  ) {
    this.clock = new EmulatorClock(clock);
    this.config = { ...startConfig };
    this.wdm = new WdmStore(() => `${urls.wdm}/devices`);
  }

  now(): number {
    return this.clock.now();
  }

  liveness(): Liveness {
    return {
      now: this.now(),
      missedKeepalivesBeforeExpiry: this.config.missedKeepalivesBeforeExpiry,
    };
  }

  mobiusApiUrl(server: MobiusServerName): string {
    return server === 'primary' ? this.urls.mobiusPrimaryApi : this.urls.mobiusBackupApi;
  }

  /** Back to the start state (listeners are the caller's job). */
  reset(): void {
    Object.assign(this.config, this.startConfig);
    this.clock.resetOffset();
    this.integrations.reset();
    this.authorizations.clear();
    this.tokens.clear();
    this.wdm.clear();
    this.mobius.clear();
    this.faults.clear();
    this.stalls.releaseAll();
    this.mercury.dropAll();
    this.calls.clear().catch(() => {});
    this.callees.clear();
    this.log.clear();
    this.seed();
  }

  /** Users at the device limit get that many live devices from "other browsers". */
  seed(): void {
    const now = this.now();
    for (const user of TEST_USERS) {
      if (!user.atDeviceLimit) continue;
      for (let i = 0; i < this.config.deviceLimit; i++) {
        const createdAt = now - (SEEDED_DEVICE_AGE_MIN - i * 10) * 60_000;
        this.deviceElsewhere(user.id, `browser ${i + 1} (elsewhere)`, createdAt, true);
      }
    }
  }

  /**
   * A line the user registered in another browser (its own WDM device, on the primary): kept
   * alive there for good (`keptAlive`), or left to expire like any device nobody keeps alive.
   */
  deviceElsewhere(
    userId: string,
    name: string,
    createdAt: number,
    keptAlive: boolean,
  ): MobiusDevice {
    const browser = this.wdm.create(
      userId,
      {
        deviceType: 'WEB',
        name,
        model: 'web-js-sdk',
        localizedModel: 'webex-js-sdk',
        systemName: 'WEBEX_JS_SDK',
        systemVersion: '1.0.0',
      },
      createdAt,
    );
    return this.mobius.create({
      userId,
      server: 'primary',
      clientDeviceUri: browser.url,
      createdAt,
      keepaliveIntervalSec: this.config.keepaliveIntervalSec,
      keptAliveElsewhere: keptAlive,
      sipDomain: SIP_DOMAIN,
    });
  }
}
