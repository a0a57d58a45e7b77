import { execFile } from 'node:child_process';

/** The SHA-1 thumbprint of a Windows file's signer certificate, from PowerShell's Get-AuthenticodeSignature. */
export function authenticodeThumbprint(path: string): Promise<string | null> {
  const script = `(Get-AuthenticodeSignature -LiteralPath $env:SS_FILE).SignerCertificate.Thumbprint`;
  return new Promise((resolve) => {
    execFile(
      'powershell.exe',
      ['-NoProfile', '-NonInteractive', '-Command', script],
      { env: { ...process.env, SS_FILE: path }, timeout: 20_000, windowsHide: true },
      (err, stdout) => resolve(err ? null : stdout.trim() || null),
    );
  });
}
