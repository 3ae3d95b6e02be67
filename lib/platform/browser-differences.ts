/**
 * What differs between the browsers, as data chosen at build time (WXT sets
 * import.meta.env.FIREFOX for `-b firefox`). The logic stays one; only these facts change.
 */
export interface BrowserDifferences {
  /** Notifications may carry buttons (Firefox rejects the `buttons` property outright). */
  notificationButtons: boolean;
  /**
   * Match patterns given to permissions.contains and registered content scripts keep the port.
   * Firefox matches a pattern with a port against nothing, so there the pattern is the host's.
   */
  portInMatchPatterns: boolean;
  /**
   * storage.managed.get rejects when no policy is installed (Firefox: "Managed storage manifest
   * not found"); that rejection means "no policy", not an error.
   */
  managedRejectsWhenAbsent: boolean;
}

export const CHROMIUM: BrowserDifferences = {
  notificationButtons: true,
  portInMatchPatterns: true,
  managedRejectsWhenAbsent: false,
};

export const FIREFOX: BrowserDifferences = {
  notificationButtons: false,
  portInMatchPatterns: false,
  managedRejectsWhenAbsent: true,
};

export const BROWSER: BrowserDifferences = import.meta.env.FIREFOX ? FIREFOX : CHROMIUM;
