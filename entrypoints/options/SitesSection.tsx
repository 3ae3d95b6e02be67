import { useEffect, useState } from 'preact/hooks';
import type { MessagingClient } from '../../lib/messaging/client';
import { originPattern } from '../../lib/platform/content-scripts';
import type { PolicyView } from '../../lib/policy/view';
import { siteToAdd } from '../../lib/settings';
import { requestErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
import { settingsErrorText } from '../../lib/ui/settings-errors';
import type { OptionsEnv } from './env';

/** A refused site comes back as a validation code; other failures as the background's text. */
function errorMessage(error: unknown): string {
  return settingsErrorText(requestErrorText(error));
}

/**
 * Sites where click-to-register runs. Each one is an optional host permission the user grants
 * here; the background registers the content script for the sites in its list. Removing a site
 * is the background's job end to end: it gives up the host access only when nothing else needs
 * it (the custom environment may share the origin), judged on the stored settings rather than
 * on what this page loaded, which another options tab may have changed since. The organisation's
 * sites are listed as set by it, without a Remove button; a locked list takes no additions.
 */
export function SitesSection({
  client,
  env,
  policy,
}: {
  client: MessagingClient;
  env: OptionsEnv;
  policy: PolicyView | null;
}) {
  const policySites = new Set(policy?.policySites ?? []);
  const locked = policy?.locked.sites === true;
  const [sites, setSites] = useState<string[] | null>(null);
  const [typed, setTyped] = useState(env.initialAddSite ?? '');
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    client.request('sites/list', {}).then(
      (result) => setSites(result.sites),
      (failure: unknown) => setError(errorMessage(failure)),
    );
  }, [client]);

  // A policy cannot grant host access: the user allows each of the organisation's sites here.
  const [needsAccess, setNeedsAccess] = useState<string[]>([]);
  const policyList = [...policySites].join();
  useEffect(() => {
    let current = true;
    Promise.all(
      [...policySites].map(async (origin) =>
        (await env.hasOrigins([originPattern(origin)])) ? null : origin,
      ),
    ).then(
      (missing) => current && setNeedsAccess(missing.filter((o): o is string => o !== null)),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [env, policyList]);

  const onAllow = (origin: string) => {
    setMessage('');
    setError(null);
    // Inside the click (a user gesture); the background picks the new access up by itself.
    env
      .requestOrigins([originPattern(origin)])
      .then((granted) => {
        if (!granted) {
          setError(t('errorSitePermissionDenied'));
          return;
        }
        setNeedsAccess((list) => list.filter((o) => o !== origin));
        setMessage(t('siteAccessAllowed', origin));
      })
      .catch((failure: unknown) => setError(errorMessage(failure)));
  };

  const onAdd = (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setMessage('');
    // Judged before any prompt: ask only for access to a site that will be added.
    const site = siteToAdd(typed);
    if (!site.ok) {
      setError(settingsErrorText(site.code));
      return;
    }
    const origin = site.origin;
    if (sites?.includes(origin)) {
      setError(t('errorSiteDuplicate'));
      return;
    }
    setError(null);
    setBusy(true);
    // Ask first, inside the submit (a user gesture); only a granted site is added.
    env
      .requestOrigins([originPattern(origin)])
      .then(async (granted) => {
        if (!granted) {
          setError(t('errorSitePermissionDenied'));
          return;
        }
        const result = await client.request('sites/add', { origin });
        setSites(result.sites);
        setTyped('');
        setMessage(t('siteAdded', origin));
      })
      .catch((failure: unknown) => setError(errorMessage(failure)))
      .finally(() => setBusy(false));
  };

  const onRemove = (origin: string) => {
    setBusy(true);
    setMessage('');
    setError(null);
    client
      .request('sites/remove', { origin })
      .then((result) => {
        setSites(result.sites);
        setMessage(t('siteRemoved', origin));
      })
      .catch((failure: unknown) => setError(errorMessage(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <section class="panel" aria-labelledby="sites-title">
      <h2 id="sites-title">{t('sitesTitle')}</h2>
      <p class="muted">{t('sitesIntro')}</p>
      {sites === null ? null : sites.length === 0 ? (
        <p>{t('sitesEmpty')}</p>
      ) : (
        <ul class="sites">
          {sites.map((origin) => (
            <li key={origin}>
              <span class="origin">{origin}</span>
              {needsAccess.includes(origin) ? (
                <span class="inline">
                  <span class="hint lock-note">{t('setByOrganisation')}</span>
                  <button type="button" class="button" onClick={() => onAllow(origin)}>
                    {t('allowAccess')}
                    <span class="sr-only"> {origin}</span>
                  </button>
                </span>
              ) : policySites.has(origin) || locked ? (
                <span class="hint lock-note">{t('setByOrganisation')}</span>
              ) : (
                <button
                  type="button"
                  class="button"
                  disabled={busy}
                  onClick={() => onRemove(origin)}
                >
                  {t('remove')}
                  <span class="sr-only"> {origin}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {locked ? (
        <p class="hint lock-note">{t('sitesLockedNote')}</p>
      ) : (
        <form class="add-site" noValidate onSubmit={onAdd}>
          <label for="add-site">{t('addSiteLabel')}</label>
          <div class="inline">
            <input
              id="add-site"
              type="text"
              inputMode="url"
              autoComplete="off"
              spellcheck={false}
              placeholder="https://crm.example.com"
              value={typed}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? 'add-site-error' : 'add-site-hint'}
              onInput={(e) => {
                setTyped(e.currentTarget.value);
                setError(null);
              }}
            />
            {/* Busy, not disabled: keyboard focus stays here (onAdd ignores presses while busy). */}
            <button type="submit" class="button primary" aria-disabled={busy ? 'true' : undefined}>
              {t('add')}
            </button>
          </div>
          <p class="hint muted" id="add-site-hint">
            {t('addSiteHint')}
          </p>
          {error && (
            <p class="field-error" id="add-site-error" role="alert">
              {error}
            </p>
          )}
          <p role="status" class="confirm">
            {message}
          </p>
        </form>
      )}
    </section>
  );
}
