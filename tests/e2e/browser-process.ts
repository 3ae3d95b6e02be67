/**
 * The whole browser as the operating system sees it: Playwright starts Chromium as the leader of
 * its own process group, so SIGSTOP to the group freezes every Chromium process at once (a
 * laptop lid closing, as far as the browser can tell), and SIGCONT wakes it. The emulator runs in
 * the test process and keeps its clock running meanwhile.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The browser process (no `--type=`) whose command line names this profile. */
export function browserPid(profileDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (!args.some((a) => a === `--user-data-dir=${profileDir}`)) continue;
    if (args.some((a) => a.startsWith('--type='))) continue;
    return Number(entry);
  }
  throw new Error(`no Chromium browser process for ${profileDir}`);
}

/** Process group id of a process (field 5 of /proc/<pid>/stat). */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[2]);
}

export interface Frozen {
  thaw(): void;
}

/** Freezes the whole browser; `thaw()` wakes it. */
export function freezeBrowser(profileDir: string): Frozen {
  const pid = browserPid(profileDir);
  const group = processGroup(pid);
  if (group !== pid) throw new Error(`Chromium ${pid} does not lead its process group (${group})`);
  process.kill(-group, 'SIGSTOP');
  let thawed = false;
  return {
    thaw() {
      if (thawed) return;
      thawed = true;
      process.kill(-group, 'SIGCONT');
    },
  };
}
