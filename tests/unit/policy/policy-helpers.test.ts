/** The e2e policy helpers' own rules, checked without a browser. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_EXTENSION_ID } from '../../../lib/dev-integration';
import { extensionIdFromKey, managedPolicyFile } from '../../e2e/policy-helpers';

/** The development key in wxt.config.ts, whose id Chromium reports as DEV_EXTENSION_ID. */
const DEV_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApRYbVnd6ay1NAtFDPjva5rJL7fM+7dtXfPXEAR06bl5omDRaX9RmrK0/JaTAJe61DJrwriW0O0v1QX7Lu+MEnJaXpCRmQK1O6+sDR21ADfHvkoiYzsK9jjSeg6mECwxeIN26jiswq93NT/eEYP+pOh0YZHMVDa0V1dMWNgh74YRAVRJNJ0CoXWddVSKrW0S47hh1uchqBWfmMw9bEpVERtxLmfYZI85RGv7j9Y9IFcBqg5fw0kgKm870r0cqvB4hIbrSX3oOA8OY8q6IiL4/rLwZ/2yLJUDz3817rKUWyOwn7FANz07DhCWKETI1sN/QbXwcWdh5MizPIX+VlvhLSwIDAQAB';

describe('e2e policy helpers', () => {
  it('derive the id Chromium derives from a manifest key', () => {
    expect(extensionIdFromKey(DEV_KEY)).toBe(DEV_EXTENSION_ID);
  });

  it('write policy for one id only, under 3rdparty.extensions, and remove it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-dir-'));
    try {
      const file = managedPolicyFile('a'.repeat(32), dir);
      file.write({ clientId: 'C0123456789' });
      expect(JSON.parse(readFileSync(file.path, 'utf8'))).toEqual({
        '3rdparty': { extensions: { ['a'.repeat(32)]: { clientId: 'C0123456789' } } },
      });
      file.remove();
      expect(existsSync(file.path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fail with a clear message where the folder cannot be written', () => {
    // Not even root can make a folder inside a file.
    const dir = mkdtempSync(join(tmpdir(), 'policy-dir-'));
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    try {
      const file = managedPolicyFile('a'.repeat(32), join(blocker, 'managed'));
      expect(() => file.write({})).toThrow(
        `Cannot write Chromium's managed policy folder ${blocker}/managed (ENOTDIR). Policy tests need root`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
