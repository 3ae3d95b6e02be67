/**
 * `npm run emulator`: the emulator on the default ports (EMULATOR_* variables override them and
 * config; see cli-options.ts). Prints where everything is; stops on SIGINT/SIGTERM.
 */
import { banner } from './cli-banner';
import { optionsFromEnv } from './cli-options';
import { type Emulator, PortInUseError, startEmulator } from './index';

let emulator: Emulator | undefined;
let stopping = false;

/** Installed before anything is printed: whoever reads the banner may signal at once. */
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`emulator: ${signal}, stopping`);
  (emulator?.close() ?? Promise.resolve()).then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

function fail(message: string): never {
  console.error(`emulator: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const options = optionsFromEnv(process.env);
  if (typeof options === 'string') fail(options);
  const quiet = process.env.EMULATOR_QUIET === '1' || process.env.EMULATOR_QUIET === 'true';
  try {
    emulator = await startEmulator({
      ...options,
      ...(quiet ? {} : { log: (line: string) => console.log(`[emulator] ${line}`) }),
    });
  } catch (err) {
    if (err instanceof PortInUseError) {
      fail(`${err.message}; stop the other process or set EMULATOR_*_PORT`);
    }
    fail(err instanceof Error ? err.message : String(err));
  }
  if (stopping) {
    await emulator.close();
    return;
  }
  console.log(banner(emulator));
}

void main();
