/**
 * The backend token in the Electron shell: encrypted with safeStorage (DPAPI on Windows, Keychain on
 * macOS, the desktop keyring on Linux) in a mode-600 file in the data folder. safeStorage exists only
 * in main, so main keeps the file and the station process asks for it over its parent port
 * (station/remote-token-vault.ts). Wiring in main/index.ts, next to the station utilityProcess:
 *
 *   serveTokenVault(stationChild, electronTokenVault(join(dataDir, 'backend-token.bin')), log);
 *
 * and in station/station-process.ts, when serving over ports: `vault: remoteTokenVault(parentPort)`.
 */
import { safeStorage } from 'electron';
import { encryptedFileTokenVault, fileTokenVault, type TokenVault } from '../sync/token-vault.ts';

/** Encrypted where the OS offers a key store; otherwise (a Linux box without a keyring) the plain mode-600 file, said in the log. */
export function electronTokenVault(path: string, warn: (msg: string) => void = console.warn): TokenVault {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    warn(`token vault: no OS key store (${backend}); the backend token is kept in a mode-600 file`);
    return fileTokenVault(path);
  }
  return encryptedFileTokenVault(path, {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (bytes) => safeStorage.decryptString(bytes),
  });
}

interface StationChild {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown): void;
}

/** Answers the station process's vault requests (see station/remote-token-vault.ts for the messages). */
export function serveTokenVault(child: StationChild, vault: TokenVault, log: (msg: string) => void = console.error): void {
  child.on('message', (message) => {
    const m = message as { type?: string; id?: string; op?: string; credentials?: unknown } | null;
    if (m?.type !== 'vault' || typeof m.id !== 'string') return;
    const id = m.id;
    const run = async () => {
      if (m.op === 'load') return { credentials: await vault.load() };
      if (m.op === 'save') await vault.save(m.credentials as Parameters<TokenVault['save']>[0]);
      else if (m.op === 'clear') await vault.clear();
      else throw new Error(`unknown vault op "${String(m.op)}"`);
      return {};
    };
    run().then(
      (r) => child.postMessage({ type: 'vault-reply', id, ok: true, ...r }),
      (err: unknown) => {
        log(`token vault: ${m.op} failed: ${err instanceof Error ? err.message : String(err)}`);
        child.postMessage({ type: 'vault-reply', id, ok: false, error: err instanceof Error ? err.message : String(err) });
      },
    );
  });
}
