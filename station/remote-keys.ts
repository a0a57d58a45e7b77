/**
 * The station's secret keys when the Electron shell keeps them (safeStorage lives in main only): at
 * start the station asks main over its parent port for each named key it uses and main answers from
 * its encrypted key files (main/data-keys.ts `serveKeys`). The keys then stay in this process's memory.
 */
import { randomUUID } from 'node:crypto';
import type { ParentPort } from '../core/bridge/port-transport.ts';
import { fixedKeyStore, KEY_BYTES, type KeyStore } from '../node/key-file.ts';

export interface KeyRequest {
  type: 'key';
  id: string;
  name: string;
}
export interface KeyReply {
  type: 'key-reply';
  id: string;
  ok: boolean;
  /** Hex. */
  key?: string;
  error?: string;
}

/** Every key the station process needs, by name; another part that needs a secret adds its name here. */
export const STATION_KEY_NAMES = ['data'] as const;

export async function remoteKeyStore(parent: ParentPort, names: readonly string[] = STATION_KEY_NAMES, timeoutMs = 10_000): Promise<KeyStore> {
  const waiting = new Map<string, (r: KeyReply) => void>();
  parent.on('message', (e) => {
    const r = e.data as KeyReply | null;
    if (r?.type !== 'key-reply') return;
    waiting.get(r.id)?.(r);
    waiting.delete(r.id);
  });
  const keys: Record<string, Buffer> = {};
  for (const name of names) {
    keys[name] = await new Promise<Buffer>((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the shell did not hand over the ${name} key within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        const key = r.ok && typeof r.key === 'string' ? Buffer.from(r.key, 'hex') : null;
        if (key && key.length === KEY_BYTES) resolve(key);
        else reject(new Error(`the shell could not give the ${name} key: ${r.error ?? 'malformed reply'}`));
      });
      parent.postMessage({ type: 'key', id, name } satisfies KeyRequest);
    });
  }
  return fixedKeyStore(keys);
}
