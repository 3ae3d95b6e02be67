/**
 * Parent side: runs one scenario in a fresh Node process (the SDK keeps module-level
 * singletons, so two scenarios must never share one) and returns its parsed result.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  INPUT_ENV,
  RESULT_MARKER,
  type ScenarioInput,
  type ScenarioResult,
} from './scenario-protocol';

const ENTRY = fileURLToPath(new URL('../scenario.ts', import.meta.url));
/** `--import tsx` resolves tsx from the working directory: the repository root. */
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface ScenarioRun {
  result: ScenarioResult;
  exitCode: number | null;
  stderr: string;
}

export function runScenario(input: ScenarioInput, timeoutMs = 60_000): Promise<ScenarioRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      cwd: REPO_ROOT,
      env: { ...process.env, [INPUT_ENV]: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (input.verbose) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`scenario ${input.scenario} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (!line) {
        reject(
          new Error(`scenario ${input.scenario} printed no result (exit ${exitCode})\n${stderr}`),
        );
        return;
      }
      resolve({
        result: JSON.parse(line.slice(RESULT_MARKER.length)) as ScenarioResult,
        exitCode,
        stderr,
      });
    });
  });
}
