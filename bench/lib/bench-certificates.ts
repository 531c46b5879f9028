// Self-signed certificates for the TLS part, one per stack host (app-<i>.dev.tld), all on one EC key
// (HAProxy loads each file on its own; the key is not what is measured), written as combined PEMs.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { stackHost } from "./many-backends.js";

const run = promisify(execFile);

// Write `count` PEMs into `dir` (4 openssl at a time); returns their paths, in host order.
export async function writeBenchCertificates(dir: string, count: number): Promise<string[]> {
  const key = join(dir, "shared.key");
  await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
  const keyText = await readFile(key, "utf8");
  const paths = Array.from({ length: count }, (_, i) => join(dir, `site-${i}.pem`));
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const host = stackHost(i);
      const { stdout } = await run("openssl", [
        "req",
        "-x509",
        "-key",
        key,
        "-days",
        "30",
        "-subj",
        `/CN=${host}`,
        "-addext",
        `subjectAltName=DNS:${host}`,
      ]);
      await writeFile(paths[i] ?? "", `${stdout.trim()}\n${keyText.trim()}\n`, { mode: 0o600 });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return paths;
}
