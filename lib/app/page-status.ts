import { type PageStatus, type StatusSnapshot, toPageStatus } from '../messaging/protocol';
import { MOBIUS_ERROR_TABLE, RETRIES_EXHAUSTED, SEED_MESSAGES } from '../webex/errors';
import { notConfiguredError, notSignedInError } from '../webex/line-errors';

/**
 * Engine messages that are fixed text. Others are built at run time and may name a server
 * ("wdm-a.wbx2.com could not be reached"), quote a server's answer, or quote the custom
 * environment URL from the settings: a web page must not learn any of that.
 */
const FIXED_MESSAGES: ReadonlySet<string> = new Set([
  ...MOBIUS_ERROR_TABLE.map((row) => row.message),
  RETRIES_EXHAUSTED.message,
  ...Object.values(SEED_MESSAGES),
  notSignedInError().msg,
  notConfiguredError().msg,
]);

/**
 * What the content script (and so the web page) may learn of a snapshot: the reduced
 * `PageStatus`, with any error text that is not one of the engine's fixed messages replaced by a
 * generic one that sends the user to the toolbar button.
 */
export function pageStatusFor(
  snapshot: StatusSnapshot,
  generic: { tokenError: string; registrationError: string },
): PageStatus {
  const status = toPageStatus(snapshot);
  if (!status.error || FIXED_MESSAGES.has(status.error.msg)) return status;
  const msg = generic[status.error.type];
  return { ...status, error: { type: status.error.type, msg } };
}
