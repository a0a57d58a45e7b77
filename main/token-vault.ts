/**
 * The backend token in the Electron shell: encrypted with safeStorage (DPAPI on Windows, Keychain on
 * macOS, the desktop keyring on Linux) in a mode-600 file in the data folder. safeStorage exists only
 * in main, so main keeps the file and the station process asks for it over its parent port
 * (station/remote-token-vault.ts). main/shell-calls.ts `serveTokenVault` answers the station's `vault` calls.
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
