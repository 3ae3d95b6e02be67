/**
 * The Chromium profile `npm start` opens. Its preferences are written before launch: the
 * extension is pinned to the toolbar, so its badge (the line's state at a glance) is in view
 * rather than in the puzzle menu, and a demo that was killed does not greet the next start with
 * "Restore pages?" (npm start opens its own tabs).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Preferences with `extensionId` in `extensions.pinned_extensions` (where Chromium keeps the
 * toolbar's pinned extensions) and the last exit marked clean (`profile.exit_type`), everything
 * else kept as it was. Unreadable preferences are replaced: Chromium would discard them too.
 */
export function startPreferences(preferences: unknown, extensionId: string): Json {
  const prefs = isObject(preferences) ? preferences : {};
  const extensions = isObject(prefs.extensions) ? prefs.extensions : {};
  const profile = isObject(prefs.profile) ? prefs.profile : {};
  const pinned = Array.isArray(extensions.pinned_extensions)
    ? extensions.pinned_extensions.filter((id): id is string => typeof id === 'string')
    : [];
  return {
    ...prefs,
    extensions: {
      ...extensions,
      pinned_extensions: pinned.includes(extensionId) ? pinned : [...pinned, extensionId],
    },
    profile: { ...profile, exit_type: 'Normal' },
  };
}

/** The preferences file of the profile's default person. */
export const preferencesPath = (profileDir: string) => join(profileDir, 'Default', 'Preferences');

/** Prepare the profile at `profileDir` (created if new). Call before launch. */
export function prepareProfile(profileDir: string, extensionId: string): void {
  const path = preferencesPath(profileDir);
  let current: unknown = {};
  try {
    current = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // A new profile, or one Chromium never finished writing: start from nothing.
  }
  mkdirSync(join(profileDir, 'Default'), { recursive: true });
  writeFileSync(path, JSON.stringify(startPreferences(current, extensionId)));
}
