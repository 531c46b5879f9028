// The runtime-API commands that take HAProxy from the loaded certificates to the desired ones without a
// reload (HAProxy 2.6: set/commit ssl cert, new ssl cert + add ssl crt-list, del ssl crt-list + del ssl
// cert), each with the answer it must get; null when a payload is too large for the CLI buffer.

/** above this (≈ 100 new certificates, ~5 ms a command) a reload is quicker than the runtime API */
export const MAX_RUNTIME_COMMANDS = 400;

/** HAProxy silently drops a CLI payload over tune.bufsize (16 KB): stay well below it */
export const MAX_PAYLOAD_BYTES = 14 * 1024;

// One command, its payload (sent after `<<`) and the answer that means success.
export interface CertificateCommand {
  command: string;
  payload?: string;
  expect: RegExp;
}

// The loaded (or desired) certificates: file path → digest and PEM.
export type CertificateFiles = ReadonlyMap<string, { digest: string; pem: string }>;

// What changed, by file path.
export interface CertificateChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

// Compare by digest: files only in `desired` are added, only in `loaded` removed.
export function diffCertificates(loaded: CertificateFiles, desired: CertificateFiles): CertificateChanges {
  const changes: CertificateChanges = { added: [], changed: [], removed: [] };
  for (const [path, cert] of desired) {
    const before = loaded.get(path);
    if (!before) changes.added.push(path);
    else if (before.digest !== cert.digest) changes.changed.push(path);
  }
  for (const path of loaded.keys()) if (!desired.has(path)) changes.removed.push(path);
  return changes;
}

// The commands for `changes`: updates first, then additions (to `crtList`), then removals.
export function planCertificateCommands(
  changes: CertificateChanges,
  desired: CertificateFiles,
  crtList: string,
): CertificateCommand[] | null {
  const commands: CertificateCommand[] = [];
  const upload = (path: string): CertificateCommand[] | null => {
    const pem = desired.get(path)?.pem ?? "";
    if (Buffer.byteLength(pem) > MAX_PAYLOAD_BYTES) return null;
    return [
      {
        command: `set ssl cert ${path}`,
        payload: pem,
        expect: /Transaction (created|updated) for certificate/,
      },
      { command: `commit ssl cert ${path}`, expect: /Success!/ },
    ];
  };
  for (const path of changes.changed) {
    const steps = upload(path);
    if (!steps) return null;
    commands.push(...steps);
  }
  for (const path of changes.added) {
    const steps = upload(path);
    if (!steps) return null;
    commands.push({ command: `new ssl cert ${path}`, expect: /New empty certificate store/ }, ...steps, {
      command: `add ssl crt-list ${crtList} ${path}`,
      expect: /Success!/,
    });
  }
  for (const path of changes.removed)
    commands.push(
      { command: `del ssl crt-list ${crtList} ${path}`, expect: /deleted in crtlist/ },
      { command: `del ssl cert ${path}`, expect: /deleted!/ },
    );
  return commands;
}
