/**
 * `npm run sim -- --seed N` replays one schedule (and shrinks it when it fails);
 * `npm run sim -- --minutes M` runs fresh seeds for M minutes; `--seeds K` sets the fixed set.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const value = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
};
const env: NodeJS.ProcessEnv = { ...process.env };
for (const [flag, variable] of [
  ['seed', 'SIM_SEED'],
  ['minutes', 'SIM_MINUTES'],
  ['seeds', 'SIM_SEEDS'],
  ['from', 'SIM_FROM'],
  ['schedule-minutes', 'SIM_SCHEDULE_MINUTES'],
] as const) {
  const given = value(flag);
  if (given !== undefined) env[variable] = given;
}
const run = spawnSync('npx', ['vitest', 'run', '--config', 'tests/sim/vitest.config.ts'], {
  stdio: 'inherit',
  env,
});
process.exit(run.status ?? 1);
