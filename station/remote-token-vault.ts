/**
 * The station's token vault when the Electron shell keeps the token (safeStorage lives in main only):
 * load/save/clear go to main over the utility process's parent port and main answers from an
 * encrypted file (main/token-vault.ts `serveTokenVault`). The station never writes the token itself.
 */
import { randomUUID } from 'node:crypto';
import { StationCredentials, type TokenVault } from '../sync/token-vault.ts';
import type { ParentPort } from '../core/bridge/port-transport.ts';

export type VaultOp = 'load' | 'save' | 'clear';
export interface VaultRequest {
  type: 'vault';
  id: string;
  op: VaultOp;
  credentials?: StationCredentials;
}
export interface VaultReply {
  type: 'vault-reply';
  id: string;
  ok: boolean;
  credentials?: StationCredentials | null;
  error?: string;
}

export function remoteTokenVault(parent: ParentPort, timeoutMs = 10_000): TokenVault {
  const waiting = new Map<string, (r: VaultReply) => void>();
  parent.on('message', (e) => {
    const r = e.data as VaultReply | null;
    if (r?.type !== 'vault-reply') return;
    waiting.get(r.id)?.(r);
    waiting.delete(r.id);
  });
  const ask = (op: VaultOp, credentials?: StationCredentials): Promise<VaultReply> =>
    new Promise((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the shell did not answer the token vault (${op}) within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        if (r.ok) resolve(r);
        else reject(new Error(`the shell's token vault failed (${op}): ${r.error ?? 'unknown'}`));
      });
      parent.postMessage({ type: 'vault', id, op, ...(credentials ? { credentials } : {}) } satisfies VaultRequest);
    });
  return {
    async load() {
      const r = await ask('load');
      const parsed = StationCredentials.safeParse(r.credentials);
      return parsed.success ? parsed.data : null;
    },
    async save(credentials) {
      await ask('save', StationCredentials.parse(credentials));
    },
    async clear() {
      await ask('clear');
    },
  };
}
