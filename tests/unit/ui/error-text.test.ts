import { describe, expect, it } from 'vitest';
import { MessagingError } from '../../../lib/messaging/client';
import type { LineErrorPayload } from '../../../lib/messaging/protocol';
import { badgeFor } from '../../../lib/ui/badge';
import { KNOWN_LINE_ERRORS, lineErrorText, requestErrorText } from '../../../lib/ui/error-text';
import { notificationFor } from '../../../lib/ui/notify';
import { MOBIUS_ERROR_TABLE } from '../../../lib/webex/errors';
import {
  deviceLimitError,
  discoveryError,
  notConfiguredError,
  notSignedInError,
  retriesExhaustedError,
  tokenExpiredError,
  toLineError,
} from '../../../lib/webex/line-errors';
import {
  installI18n,
  installLocale,
  LOCALES,
  localeMessages,
  SEED_ERRORS,
  snapshot,
} from './helpers';

/** Every error payload the engine can emit with fixed text: the seed's, the SDK's final rows. */
const FIXED_PAYLOADS: LineErrorPayload[] = [
  deviceLimitError(),
  retriesExhaustedError(),
  tokenExpiredError(401),
  notSignedInError(),
  notConfiguredError(),
  ...MOBIUS_ERROR_TABLE.filter((row) => row.final).map((row) =>
    toLineError({ row, network: false, detail: 'test' }),
  ),
  // Non-final rows are not emitted today, but their text is the SDK's: translate them too.
  ...MOBIUS_ERROR_TABLE.filter((row) => row.reaction === 'next').map(
    (row): LineErrorPayload => ({
      status: 'inactive',
      type: 'registrationError',
      msg: row.message,
    }),
  ),
];

describe('line errors as the user reads them', () => {
  it('every fixed engine message is known, and English shows it byte for byte', () => {
    installI18n();
    for (const payload of FIXED_PAYLOADS) {
      expect(KNOWN_LINE_ERRORS.has(payload.msg), payload.msg).toBe(true);
      expect(lineErrorText(payload)).toBe(payload.msg);
    }
  });

  it.each(LOCALES.filter((locale) => locale !== 'en'))(
    '%s: every fixed message is translated, not left in English',
    (locale) => {
      installLocale(locale);
      const translations = localeMessages(locale);
      for (const payload of FIXED_PAYLOADS) {
        const text = lineErrorText(payload);
        expect(text, payload.msg).not.toBe(payload.msg);
        expect(Object.values(translations).some((entry) => entry.message === text)).toBe(true);
      }
    },
  );

  it('the seed error in German, and a message built at run time as it came', () => {
    installLocale('de');
    expect(lineErrorText(SEED_ERRORS.deviceNotFound)).toBe('Gerät nicht gefunden.');
    const built = discoveryError({
      kind: 'http',
      status: 502,
      body: undefined,
      message: 'wdm.example answered 502',
    });
    expect(lineErrorText(built)).toBe('wdm.example answered 502. Wait a moment and try again.');
  });

  it('the payload keeps its English: the UI renders a copy, it never rewrites msg', () => {
    installLocale('fr');
    const payload = tokenExpiredError();
    const before = structuredClone(payload);
    expect(lineErrorText(payload)).toBe(
      "Jeton expiré. Erreur d'authentification ou d'autorisation.",
    );
    expect(payload).toEqual(before);
  });

  it('the badge tooltip and the notification show the translation', () => {
    installLocale('es');
    const failed = snapshot({
      state: 'inactive',
      display: 'error',
      error: SEED_ERRORS.deviceLimit,
    });
    expect(badgeFor(failed).title).toBe(
      'Webex Line: Se superó el límite de dispositivos. El usuario ya inició sesión en otro dispositivo.',
    );
    const decision = notificationFor(snapshot(), {
      kind: 'line-event',
      event: 'error',
      error: SEED_ERRORS.deviceLimit,
      snapshot: failed,
    });
    expect(decision).toMatchObject({
      title: 'Su línea de Webex ya no está registrada',
      message:
        'Se superó el límite de dispositivos. El usuario ya inició sesión en otro dispositivo.',
      buttonTitle: 'Ver el estado',
    });
  });
});

describe('failed requests as the user reads them', () => {
  it('an unanswered request in the user language; any other failure as the background said', () => {
    installLocale('ja');
    expect(
      requestErrorText(
        new MessagingError('no-response', 'The extension did not answer. Try again.'),
      ),
    ).toBe('拡張機能から応答がありませんでした。もう一度お試しください。');
    expect(requestErrorText(new MessagingError('failed', 'Storage is full.'))).toBe(
      'Storage is full.',
    );
    expect(requestErrorText('plain')).toBe('plain');
  });
});
