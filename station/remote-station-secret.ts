/**
 * The station secret when the Electron shell keeps it (safeStorage lives in main only): the station
 * asks main once at start over the utility process's parent port and main answers from its encrypted
 * file (main/station-secret.ts `serveStationSecret`). The same kind of exchange as the token vault
 * (station/remote-token-vault.ts).
 *
 *   station → main  { type: 'station-secret', id }
 *   main → station  { type: 'station-secret-reply', id, ok: true, secret: <base64> } | { …, ok: false, error }
 */
import { randomUUID } from 'node:crypto';
import type { ParentPort } from '../core/bridge/port-transport.ts';

export function remoteStationSecret(parent: ParentPort, timeoutMs = 10_000): () => Promise<Buffer> {
  return () =>
    new Promise((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => reject(new Error(`the shell did not hand over the station secret within ${timeoutMs} ms`)), timeoutMs);
      parent.on('message', (e) => {
        const r = e.data as { type?: string; id?: string; ok?: boolean; secret?: string; error?: string } | null;
        if (r?.type !== 'station-secret-reply' || r.id !== id) return;
        clearTimeout(timer);
        const secret = r.ok && typeof r.secret === 'string' ? Buffer.from(r.secret, 'base64') : null;
        if (secret && secret.length === 32) resolve(secret);
        else reject(new Error(`the shell could not give the station secret: ${r.error ?? 'not 32 bytes'}`));
      });
      parent.postMessage({ type: 'station-secret', id });
    });
}
