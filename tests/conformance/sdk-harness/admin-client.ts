/**
 * The emulator's admin API (`<base>/_emulator/…`) over HTTP, for the scenario process (which
 * injects faults at the right moment) and for the test (which checks what the emulator saw).
 */
import type { Deviation, DeviceSummary, FaultSpec, LogEntry } from '../../emulator/index';

export class AdminClient {
  constructor(private readonly adminUrl: string) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.adminUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`admin ${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async devices(email?: string): Promise<DeviceSummary[]> {
    const query = email ? `?email=${encodeURIComponent(email)}` : '';
    return (await this.#call<{ devices: DeviceSummary[] }>('GET', `/devices${query}`)).devices;
  }

  async log(): Promise<LogEntry[]> {
    return (await this.#call<{ entries: LogEntry[] }>('GET', '/log')).entries;
  }

  async deviations(): Promise<Deviation[]> {
    return (await this.#call<{ deviations: Deviation[] }>('GET', '/deviations')).deviations;
  }

  async injectFault(spec: FaultSpec): Promise<void> {
    await this.#call('POST', '/faults', spec);
  }

  async revokeTokens(email: string): Promise<number> {
    return (await this.#call<{ revoked: number }>('POST', '/tokens/revoke', { email })).revoked;
  }
}
