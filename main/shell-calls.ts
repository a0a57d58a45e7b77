/**
 * Main's answers to the station process's requests over the side channel (common/contract/shell.ts):
 * the token vault and the data keys, registered on main's Router of the shell contract. Apart from
 * main/token-vault.ts and main/data-keys.ts, which import electron for safeStorage, so that a plain-Node
 * test can serve the real answers over a MessageChannel (test/unit/shell-channel.test.ts).
 */
import type { Router } from '../common/contract/router.ts';
import type { ShellContract } from '../common/contract/shell.ts';
import type { KeyStore } from '../node/key-file.ts';
import type { TokenVault } from '../sync/token-vault.ts';

/** Answers the station process's `vault` requests (the station's side is station/remote-token-vault.ts). */
export function serveTokenVault(router: Router<ShellContract>, vault: TokenVault, log: (msg: string) => void = console.error): void {
  router.handle('vault', async (call) => {
    try {
      if (call.op === 'load') return { credentials: await vault.load() };
      if (call.op === 'save') await vault.save(call.credentials);
      else await vault.clear();
      return {};
    } catch (err) {
      log(`token vault: ${call.op} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  });
}

/** Answers the station process's `key` requests (the station's side is station/remote-keys.ts). */
export function serveKeys(router: Router<ShellContract>, keys: KeyStore, log: (msg: string) => void = console.error): void {
  router.handle('key', ({ name }) => {
    try {
      return { key: keys.key(name).toString('hex') };
    } catch (err) {
      log(`data keys: the ${name} key could not be given: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  });
}
