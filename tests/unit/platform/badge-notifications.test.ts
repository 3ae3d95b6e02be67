import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { actionOf } from '../../../lib/platform/notifications';
import { paintBadge } from '../../../lib/platform/toolbar-badge';

describe('notification actions', () => {
  it('reads the action from the id, as a worker started by the click must', () => {
    expect(actionOf('webex-line-token-error:signIn')).toBe('signIn');
    expect(actionOf('webex-line-lost:openSettings')).toBe('openSettings');
    expect(actionOf('webex-line-lost:openPopup')).toBe('openPopup');
  });

  it('gives no action for an id it did not make', () => {
    expect(actionOf('webex-line-lost:toString')).toBeUndefined();
    expect(actionOf('webex-line-lost')).toBeUndefined();
    expect(actionOf('')).toBeUndefined();
  });
});

describe('paintBadge', () => {
  it('paints again after a failed paint instead of skipping the same look', async () => {
    const look = { text: 'ON', color: '#15803d', title: 'Webex Line: Registered' };
    const setText = vi
      .spyOn(fakeBrowser.action, 'setBadgeText')
      .mockRejectedValueOnce(new Error('Extension context invalidated.'));
    await expect(paintBadge(look)).rejects.toThrow();
    await paintBadge(look);
    expect(setText).toHaveBeenCalledTimes(2);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('ON');
    // A repaint of what is already there is skipped.
    await paintBadge(look);
    expect(setText).toHaveBeenCalledTimes(2);
  });
});
