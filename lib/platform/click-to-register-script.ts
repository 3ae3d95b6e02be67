/**
 * The click-to-register content script as the background registers it. `file` is where WXT
 * writes entrypoints/click-to-register.ts (an unlisted script: at the root of the build). No
 * browser API here, so the bench reads it too.
 */
export const CLICK_TO_REGISTER_SCRIPT = {
  id: 'click-to-register',
  file: 'click-to-register.js',
} as const;
