/**
 * The station's secret keys when the Electron shell keeps them (safeStorage lives in main only): at
 * start the station asks main with a `key` call over its parent port (common/contract/shell.ts) for
 * each named key it uses and main answers from its encrypted key files (main/data-keys.ts
 * `serveKeys`). The keys then stay in this process's memory.
 */
import { ShellCallTimeout, type ShellRequester } from '../common/contract/shell-link.ts';
import { fixedKeyStore, type KeyStore } from '../node/key-file.ts';

/** Every key the station process needs, by name; another part that needs a secret adds its name here. */
export const STATION_KEY_NAMES = ['data'] as const;

export async function remoteKeyStore(shell: ShellRequester, names: readonly string[] = STATION_KEY_NAMES, timeoutMs = 10_000): Promise<KeyStore> {
  const keys: Record<string, Buffer> = {};
  for (const name of names) {
    try {
      // The contract admits only 32 bytes of hex, so the key is whole here.
      const { key } = await shell.call('key', { name }, { timeoutMs, what: `the ${name} key request` });
      keys[name] = Buffer.from(key, 'hex');
    } catch (err) {
      if (err instanceof ShellCallTimeout) throw new Error(`the shell did not hand over the ${name} key within ${timeoutMs} ms`);
      throw new Error(`the shell could not give the ${name} key: ${(err as Error).message}`);
    }
  }
  return fixedKeyStore(keys);
}
