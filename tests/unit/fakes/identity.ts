import type { IdentityFlow } from '../../../lib/ports';
import { REDIRECT_URL } from './cloud';

/** The consent page: the redirect URL a user approving it would produce. */
export interface Consent {
  approve(authorizeUrl: string): Promise<string>;
}

export type ConsentBehaviour =
  | 'approve'
  | 'decline'
  | 'close'
  | 'wrongState'
  | { redirect: (authorizeUrl: string) => string | Promise<string> }
  | { reject: string };

/** launchWebAuthFlow as a scripted user in front of a consent page (the fake cloud's, or the emulator's). */
export class FakeIdentity implements IdentityFlow {
  behaviour: ConsentBehaviour = 'approve';
  readonly launched: string[] = [];

  constructor(
    private readonly cloud: Consent,
    private readonly redirect = REDIRECT_URL,
  ) {}

  redirectUrl(): string {
    return this.redirect;
  }

  async launchWebAuthFlow(url: string, interactive: boolean): Promise<string> {
    this.launched.push(url);
    if (!interactive) throw new Error('User interaction required.');
    const b = this.behaviour;
    const state = new URL(url).searchParams.get('state') ?? '';
    if (b === 'approve') return this.cloud.approve(url);
    if (b === 'close') throw new Error('The user did not approve access.');
    if (b === 'decline') {
      return `${this.redirect}?error=access_denied&error_description=${encodeURIComponent('The user denied access')}&state=${state}`;
    }
    if (b === 'wrongState') {
      const approved = new URL(await this.cloud.approve(url));
      approved.searchParams.set('state', 'forged-state');
      return approved.toString();
    }
    if ('reject' in b) throw new Error(b.reject);
    return b.redirect(url);
  }
}
