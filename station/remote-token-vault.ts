/**
 * The station's token vault when the Electron shell keeps the token (safeStorage lives in main only):
 * load/save/clear go to main as `vault` requests of the shell contract over the utility process's
 * parent port (common/contract/shell.ts) and main answers from an encrypted file (main/token-vault.ts,
 * served by main/shell-calls.ts `serveTokenVault`). The station never writes the token itself.
 */
import { BridgeRequestError, LineClosed, RequestTimedOut } from '../common/contract/client.ts';
import type { InputOf } from '../common/contract/define.ts';
import type { ShellContract } from '../common/contract/shell.ts';
import type { ShellClient } from '../common/contract/shell-channel.ts';
import { StationCredentials, type TokenVault } from '../sync/token-vault.ts';

export function remoteTokenVault(shell: ShellClient, timeoutMs = 10_000): TokenVault {
  const ask = async (input: InputOf<ShellContract, 'vault'>) => {
    try {
      return await shell.request('vault', input, { timeoutMs });
    } catch (err) {
      if (err instanceof RequestTimedOut) throw new Error(`the shell did not answer the token vault (${input.op}) within ${timeoutMs} ms`);
      // Main's own refusal (its handler failed), not the line's or the contract's.
      if (err instanceof BridgeRequestError && !(err instanceof LineClosed) && err.error.code !== 'invalid_output')
        throw new Error(`the shell's token vault failed (${input.op}): ${err.message}`);
      throw err;
    }
  };
  return {
    async load() {
      try {
        return (await ask({ op: 'load' })).credentials ?? null;
      } catch (err) {
        // Credentials main cannot vouch for are none (the client logged it): the station asks to enroll again.
        if (err instanceof BridgeRequestError && err.error.code === 'invalid_output') return null;
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
