/**
 * `npm run broker`: the token broker on Node. Configured by BROKER_* environment variables
 * (lib/broker/env.ts); with none it serves the local emulator's demo integration for the
 * development extension. One JSON line per request on stdout (no tokens, codes or secret);
 * stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { brokerSetupFromEnv } from '../lib/broker/env';
import { createBroker } from '../lib/broker/handler';
import { type RunningBroker, serveBroker } from '../lib/broker/node';

const parsed = brokerSetupFromEnv(process.env, (path) => readFileSync(path, 'utf8'));
if (!parsed.ok) {
  console.error(
    `broker: configuration problems:\n${parsed.errors.map((e) => `  - ${e}`).join('\n')}`,
  );
  process.exit(1);
}
const { config, listen, quiet, demo } = parsed.setup;

const handler = createBroker(config, {
  fetch,
  clock: Date,
  log: quiet ? undefined : (entry) => console.log(JSON.stringify(entry)),
});

let running: RunningBroker | undefined;
let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`broker: ${signal}, stopping`);
  (running?.close() ?? Promise.resolve()).then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  running = await serveBroker(handler, listen);
} catch (error) {
  console.error(
    `broker: cannot listen on ${listen.host}:${listen.port}: ${(error as Error).message}`,
  );
  process.exit(1);
}
if (stopping) await running.close();
console.log(
  [
    `broker: listening on ${running.url}${config.path}`,
    `  token endpoint: ${config.tokenUrl}${demo ? ' (the local emulator; start it with npm run emulator)' : ''}`,
    `  client id: ${config.clientId}${demo ? ' (the emulator demo integration)' : ''}; client secret: set`,
    `  extensions: ${config.allowedOrigins.join(', ')}`,
    `  redirect URIs: ${config.allowedRedirectUris.join(', ')}`,
    `  limits: ${config.limits.perAddress}/address and ${config.limits.perOrigin}/extension per ${config.limits.windowMs / 1000} s, bodies up to ${config.limits.maxBodyBytes} bytes`,
  ].join('\n'),
);
