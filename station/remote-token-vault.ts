/**
 * The station's token vault when the Electron shell keeps the token (safeStorage lives in main only):
 * load/save/clear go to main as `vault` calls over the utility process's parent port
 * (common/contract/shell.ts) and main answers from an encrypted file (main/token-vault.ts
 * `serveTokenVault`). The station never writes the token itself.
 */
import { ShellCallFailed, ShellReplyMalformed, type ShellRequester } from '../common/contract/shell-link.ts';
import type { ShellCallInput } from '../common/contract/shell.ts';
import { StationCredentials, type TokenVault } from '../sync/token-vault.ts';

export function remoteTokenVault(shell: ShellRequester, timeoutMs = 10_000): TokenVault {
  const ask = async (input: ShellCallInput<'vault'>) => {
    try {
      return await shell.call('vault', input, { timeoutMs, what: `the token vault (${input.op})` });
    } catch (err) {
      if (err instanceof ShellCallFailed) throw new Error(`the shell's token vault failed (${input.op}): ${err.message}`);
      throw err;
    }
  };
  return {
    async load() {
      try {
        return (await ask({ op: 'load' })).credentials ?? null;
      } catch (err) {
        // Credentials main cannot vouch for are none (the requester logged it): the station asks to enroll again.
        if (err instanceof ShellReplyMalformed) return null;
        throw err;
      }
    },
    async save(credentials) {
      await ask({ op: 'save', credentials: StationCredentials.parse(credentials) });
    },
    async clear() {
      await ask({ op: 'clear' });
    },
  };
}
