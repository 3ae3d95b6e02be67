import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { syncClickToRegister } from '../../../lib/platform/content-scripts';

interface Script {
  id: string;
  matches?: string[];
}

/**
 * The browser's registered content scripts as both browsers keep them: each call answers
 * asynchronously, and registering an id that is already registered is refused.
 */
function fakeScripting() {
  const registered = new Map<string, Script>();
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
  const api = {
    async getRegisteredContentScripts(filter?: { ids?: string[] }) {
      await tick();
      return [...registered.values()].filter((s) => !filter?.ids || filter.ids.includes(s.id));
    },
    async registerContentScripts(scripts: Script[]) {
      await tick();
      for (const script of scripts) {
        if (registered.has(script.id)) throw new Error(`Duplicate script id "${script.id}"`);
        registered.set(script.id, { ...script });
      }
    },
    async updateContentScripts(scripts: Script[]) {
      await tick();
      for (const script of scripts) registered.set(script.id, { ...script });
    },
    async unregisterContentScripts(filter?: { ids?: string[] }) {
      await tick();
      for (const id of filter?.ids ?? [...registered.keys()]) registered.delete(id);
    },
  };
  Object.assign(fakeBrowser, { scripting: api });
  Object.assign(fakeBrowser.permissions, { contains: async () => true });
  return registered;
}

describe('syncClickToRegister', () => {
  afterEach(() => fakeBrowser.reset());

  it('registers once when starts overlap (an install and a policy applied at the same time)', async () => {
    const registered = fakeScripting();
    const first = ['http://127.0.0.1:8790'];
    const second = ['http://127.0.0.1:8790', 'https://crm.example.com'];
    await expect(
      Promise.all([syncClickToRegister(first), syncClickToRegister(second)]),
    ).resolves.toEqual([first, second]);
    // The later call's sites are the ones in effect.
    expect(registered.get('click-to-register')?.matches).toHaveLength(2);
  });

  it('a failed sync does not stop the next one', async () => {
    const registered = fakeScripting();
    const scripting = (fakeBrowser as unknown as { scripting: Record<string, unknown> }).scripting;
    const register = scripting.registerContentScripts as (s: Script[]) => Promise<void>;
    let failures = 1;
    scripting.registerContentScripts = async (scripts: Script[]) => {
      if (failures-- > 0) throw new Error('refused');
      return register(scripts);
    };
    await expect(syncClickToRegister(['https://crm.example.com'])).rejects.toThrow('refused');
    await expect(syncClickToRegister(['https://crm.example.com'])).resolves.toEqual([
      'https://crm.example.com',
    ]);
    expect(registered.has('click-to-register')).toBe(true);
  });
});
