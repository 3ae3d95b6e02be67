import { describe, expect, it } from 'vitest';
import { classifySender } from '../../../lib/messaging/senders';
import { CHROMIUM, FIREFOX } from '../../../lib/platform/browser-differences';
import { policyOrAbsent } from '../../../lib/platform/managed-absent';
import { sitePattern, sitesToDrop } from '../../../lib/platform/match-pattern';

const SITE = 'http://127.0.0.1:8790';
const ids = { extensionId: 'ext', extensionOrigin: 'moz-extension://1234' };
const fromTab = (url: string) => ({ id: 'ext', url, tabId: 3, frameId: 0 });

describe('match patterns per browser', () => {
  it('keeps the port in Chromium and drops it in Firefox', () => {
    expect(sitePattern(SITE, CHROMIUM.portInMatchPatterns)).toBe('http://127.0.0.1:8790/*');
    expect(sitePattern(SITE, FIREFOX.portInMatchPatterns)).toBe('http://127.0.0.1/*');
    expect(sitePattern('https://app.example.com', false)).toBe('https://app.example.com/*');
  });

  it('a wider Firefox pattern does not widen who may talk to the background', () => {
    // The content script may run on every port of the host; only the opted-in port is served.
    expect(classifySender(fromTab(`${SITE}/page`), ids, [SITE])).toBe('content');
    expect(classifySender(fromTab('http://127.0.0.1:9999/page'), ids, [SITE])).toBe('unknown');
    expect(classifySender(fromTab('http://127.0.0.1/page'), ids, [SITE])).toBe('unknown');
  });
});

describe('sites dropped after a permission is removed', () => {
  const sites = [SITE, 'https://app.example.com'];

  it('drops only a site whose own pattern was removed and is no longer granted', () => {
    expect(sitesToDrop(sites, [sites[1] as string], ['http://127.0.0.1/*'], false)).toEqual([SITE]);
    expect(sitesToDrop(sites, [sites[1] as string], ['http://127.0.0.1:8790/*'], true)).toEqual([
      SITE,
    ]);
  });

  it('drops nothing on a spurious removal', () => {
    // An event for another origin, or for a site still granted, leaves the settings alone.
    expect(sitesToDrop(sites, [], ['https://other.example/*'], false)).toEqual([]);
    expect(sitesToDrop(sites, sites, ['http://127.0.0.1/*'], false)).toEqual([]);
    expect(sitesToDrop(sites, [], [], true)).toEqual([]);
  });
});

describe('managed policy absent', () => {
  const absent = () => Promise.reject(new Error('Managed storage manifest not found'));

  it('reads Firefox\'s "manifest not found" as no policy, so a removed policy clears', async () => {
    await expect(policyOrAbsent(absent(), FIREFOX.managedRejectsWhenAbsent)).resolves.toEqual({});
    await expect(policyOrAbsent(Promise.resolve({ a: 1 }), true)).resolves.toEqual({ a: 1 });
  });

  it('keeps any other failure an error, and Chromium never guesses', async () => {
    await expect(policyOrAbsent(Promise.reject(new Error('boom')), true)).rejects.toThrow('boom');
    await expect(policyOrAbsent(absent(), CHROMIUM.managedRejectsWhenAbsent)).rejects.toThrow();
  });
});

describe('notifications', () => {
  it('have buttons in Chromium only (a click on the notification acts in Firefox)', () => {
    expect(CHROMIUM.notificationButtons).toBe(true);
    expect(FIREFOX.notificationButtons).toBe(false);
  });
});
