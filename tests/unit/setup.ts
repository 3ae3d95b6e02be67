// idb-keyval needs an IndexedDB; unit tests get an in-memory one.
import 'fake-indexeddb/auto';
