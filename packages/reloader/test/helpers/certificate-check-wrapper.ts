// A stand-in `haproxy` for the certificate tests: a shell script that runs a command of the test's on
// each certificate check (the scratch config of verify-with-haproxy.ts), then execs the real HAProxy.
import { chmod, writeFile } from "node:fs/promises";

// Writes the script at `bin` (executable); `onCheck` is shell run before a certificate check's exec.
export async function wrapCertificateChecks(bin: string, onCheck: string): Promise<string> {
  await writeFile(
    bin,
    `#!/bin/sh
case " $* " in *"/certificate-check/check.cfg "*) ${onCheck};; esac
exec /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  return bin;
}
