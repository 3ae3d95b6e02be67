// idb-keyval needs an IndexedDB; unit tests get an in-memory one.
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';

// lib/ui/i18n.ts reads chrome.i18n (what extension pages and the content script see); unit
// tests get the fake browser's, which tests/unit/ui/helpers.ts installLocale fills from the
// real messages.json.
Object.assign(globalThis, { chrome: { i18n: fakeBrowser.i18n } });
