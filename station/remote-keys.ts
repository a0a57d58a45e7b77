/**
 * The station's secret keys when the Electron shell keeps them (safeStorage lives in main only): at
 * start the station asks main with a `key` request of the shell contract over its parent port
 * (common/contract/shell.ts) for each named key it uses and main answers from its encrypted key files
 * (main/data-keys.ts, served by main/shell-calls.ts `serveKeys`). The keys then stay in this process's memory.
 */
import { RequestTimedOut } from '../common/contract/client.ts';
import type { ShellClient } from '../common/contract/shell-channel.ts';
import { fixedKeyStore, type KeyStore } from '../node/key-file.ts';

/** Every key the station process needs, by name; another part that needs a secret adds its name here. */
export const STATION_KEY_NAMES = ['data'] as const;

export async function remoteKeyStore(shell: ShellClient, names: readonly string[] = STATION_KEY_NAMES, timeoutMs = 10_000): Promise<KeyStore> {
  const keys: Record<string, Buffer> = {};
  for (const name of names) {
    try {
      // The contract admits only 32 bytes of hex, so the key is whole here.
      const { key } = await shell.request('key', { name }, { timeoutMs });
      keys[name] = Buffer.from(key, 'hex');
    } catch (err) {
      if (err instanceof RequestTimedOut) throw new Error(`the shell did not hand over the ${name} key within ${timeoutMs} ms`);
      throw new Error(`the shell could not give the ${name} key: ${(err as Error).message}`);
    }
  }
  return fixedKeyStore(keys);
}
