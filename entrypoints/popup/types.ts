import type { RecentNumbers } from '../../lib/app/recent-numbers';

/** What the popup is doing on the user's behalf, and what it says about the last request. */
export type Busy = 'signIn' | 'signOut' | 'register' | 'deregister' | null;
export type Notice = { tone: 'error' | 'calm'; text: string } | null;

/** A keyboard shortcut as `commands.getAll()` reports it ('' when no keys are set). */
export interface Shortcut {
  name: string;
  description: string;
  shortcut: string;
}

/** Browser calls the popup makes besides messaging; injectable for tests. */
export interface PopupEnv {
  /** Open the options page, optionally with a query such as `addSite=https://crm.example`. */
  openOptions(query?: string): void;
  /** Origin of the active tab when the extension may see it (activeTab), else null. */
  activeTabOrigin(): Promise<string | null>;
  /** Open the microphone page (microphone.html) in a tab. */
  openMicrophone(): void;
  /** The numbers dialled lately (absent: no list is kept). */
  recentNumbers?: RecentNumbers;
  /** The extension's keyboard shortcuts, as the user has them now (absent: none listed). */
  shortcuts?(): Promise<Shortcut[]>;
}
