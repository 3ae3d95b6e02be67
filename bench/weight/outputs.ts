/** Files the weight builds (bench/weight/build.ts, run as a child process) leave for the parent. */

/** Written beside the @webex/calling bundle: the Node built-ins Vite replaced by its empty stub. */
export const EXTERNALIZED_FILE = 'node-builtins-stubbed.json';
