/**
 * Line errors as the user reads them. The payload's `msg` is a contract (the seed's and the
 * SDK's exact English, kept byte for byte in events, snapshots and page events); the UI shows a
 * translation of the known ones, found by the exact message, and any other text as it came
 * (messages built at run time, such as a discovery failure naming its cause).
 */

import type { LineErrorPayload } from '../messaging/protocol';
import { MOBIUS_ERROR_TABLE, RETRIES_EXHAUSTED, SEED_MESSAGES } from '../webex/errors';
import { notConfiguredError, notSignedInError, SUPERSEDED_MESSAGE } from '../webex/line-errors';
import { type MessageKey, t } from './i18n';

type Row = (typeof MOBIUS_ERROR_TABLE)[number];

/** The SDK's error table rows that reach the user, by (HTTP status, Mobius errorCode). */
const ROW_KEYS: ReadonlyArray<[Row['status'], Row['errorCode'], MessageKey]> = [
  [400, undefined, 'lineErrorBadRequest'],
  [401, undefined, 'lineErrorUnauthorized'],
  [403, 102, 'lineErrorNotEnabled'],
  [403, 103, 'lineErrorProvisioning'],
  [403, 'other', 'lineErrorUnknownContactAdmin'],
  [403, 'noBody', 'lineErrorBlocked'],
  [404, undefined, 'lineErrorDeviceMissing'],
  [429, undefined, 'lineErrorTooManyRequests'],
  [500, undefined, 'lineErrorServer'],
  [503, undefined, 'lineErrorServiceUnavailable'],
  ['other', undefined, 'lineErrorUnknown'],
];

function rowMessage(status: Row['status'], errorCode: Row['errorCode']): string | undefined {
  return MOBIUS_ERROR_TABLE.find((row) => row.status === status && row.errorCode === errorCode)
    ?.message;
}

/** Known engine message -> its translation. */
export const KNOWN_LINE_ERRORS: ReadonlyMap<string, MessageKey> = new Map<string, MessageKey>([
  [SEED_MESSAGES.deviceLimit, 'lineErrorDeviceLimit'],
  [SEED_MESSAGES.deviceNotFound, 'lineErrorDeviceNotFound'],
  [SEED_MESSAGES.tokenExpired, 'lineErrorTokenExpired'],
  [RETRIES_EXHAUSTED.message, 'lineErrorUnknownContactAdmin'],
  [notSignedInError().msg, 'lineErrorNotSignedIn'],
  [notConfiguredError().msg, 'lineErrorNotConfigured'],
  [SUPERSEDED_MESSAGE, 'lineErrorSuperseded'],
  ...ROW_KEYS.flatMap(([status, errorCode, key]): Array<[string, MessageKey]> => {
    const message = rowMessage(status, errorCode);
    return message ? [[message, key]] : [];
  }),
]);

/** What to show for a line error: its translation when it is a known message, else `msg`. */
export function lineErrorText(error: Pick<LineErrorPayload, 'msg'>): string {
  const key = KNOWN_LINE_ERRORS.get(error.msg);
  return key ? t(key) : error.msg;
}

/**
 * What to show for a failed request to the background: the extension not answering is ours to
 * say in the user's language; anything else is the background's own account of what failed.
 */
export function requestErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if ((error as { code?: unknown }).code === 'no-response') return t('errorNoResponse');
  return error.message;
}
