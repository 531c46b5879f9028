// HAProxy is the judge of a certificate: OpenSSL's security level refuses keys and signatures node:crypto
// reads fine (an RSA-1024 key, a SHA-1 signature), and one certificate HAProxy cannot load in the
// crt-list fails every later `haproxy -c` of the routing snapshots and the next start. So each new
// certificate (by digest) is loaded by `haproxy -c` once, in a scratch dir inside the private state dir,
// before it may reach the files HAProxy loads; a refused one becomes a skipped certificate with HAProxy's
// reason. The verdicts are kept for the certificates of the last pass only, and the start's verdict on
// the default certificate for the first pass (before, the first pass loaded that one again).
import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkConfig } from "../haproxy/check-config.js";
import type { CheckedCertificate } from "./model/certificate-check.js";
import type { CertificatePlan } from "./model/plan-certificates.js";

/** how the reason of a certificate HAProxy could not check begins (it is checked again at a next pass) */
export const UNCHECKED_REASON = "HAProxy could not check it";

// A certificate's verdict: null when HAProxy loads it, else why not.
type Verdict = string | null;

// One verifier per manager: `bin` is HAProxy, `scratch` a directory only the reloader writes.
export class HaproxyCertificateVerifier {
  private verdicts = new Map<string, Verdict>();

  constructor(
    private readonly bin: string,
    private readonly scratch: string,
  ) {}

  // The plan without the certificates HAProxy refuses (they join `skipped`); never throws: a check that
  // cannot run at all refuses the new certificates, so nothing unchecked reaches HAProxy.
  async verify(plan: CertificatePlan): Promise<CertificatePlan> {
    const all = [...(plan.default ? [plan.default] : []), ...plan.certs];
    const fresh = [...new Map(all.map((cert) => [cert.digest, cert])).values()].filter(
      (cert) => !this.verdicts.has(cert.digest),
    );
    const found = new Map<string, Verdict>();
    let unchecked = false; // HAProxy could not run: refuse now, ask again next pass
    if (fresh.length > 0) {
      try {
        await this.judge(fresh, found);
      } catch (error) {
        unchecked = true;
        for (const cert of fresh)
          found.set(cert.digest, `${UNCHECKED_REASON} (${(error as Error).message ?? String(error)})`);
      } finally {
        await rm(this.scratch, { recursive: true, force: true }).catch(() => undefined);
      }
    }
    const verdicts = new Map<string, Verdict>();
    for (const cert of all)
      verdicts.set(cert.digest, found.get(cert.digest) ?? this.verdicts.get(cert.digest) ?? null);
    this.verdicts = new Map(verdicts);
    if (unchecked) for (const cert of fresh) this.verdicts.delete(cert.digest);
    const refused = (cert: CheckedCertificate) => verdicts.get(cert.digest) ?? null;
    const skipped = [...plan.skipped];
    const keep = <T extends CheckedCertificate>(cert: T): boolean => {
      const reason = refused(cert);
      if (reason !== null) skipped.push({ name: cert.name, reason });
      return reason === null;
    };
    const kept = plan.default && keep(plan.default) ? plan.default : null;
    return { default: kept, certs: plan.certs.filter(keep), skipped };
  }

  // HAProxy's verdict on one PEM alone: null when it loads it, or when it could not run at all (the
  // start that follows says why); the start-up's check of the default certificate. A verdict is kept
  // (by the PEM's digest, as CheckedCertificate's) for the next verify().
  async refusal(pem: string): Promise<string | null> {
    try {
      const verdict = await this.check([{ pem }]);
      this.verdicts.set(createHash("sha256").update(pem).digest("hex"), verdict);
      return verdict;
    } catch {
      return null;
    } finally {
      await rm(this.scratch, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  // Load `certs` in one `haproxy -c` (a frontend whose `crt` is a directory of them); when it fails,
  // halve the set until each refused certificate stands alone.
  private async judge(certs: CheckedCertificate[], found: Map<string, Verdict>): Promise<void> {
    const outcome = await this.check(certs);
    if (outcome === null) {
      for (const cert of certs) found.set(cert.digest, null);
      return;
    }
    if (certs.length === 1) {
      const [cert] = certs as [CheckedCertificate];
      found.set(cert.digest, outcome);
      return;
    }
    const half = Math.ceil(certs.length / 2);
    await this.judge(certs.slice(0, half), found);
    await this.judge(certs.slice(half), found);
  }

  // null when HAProxy loads every one of `certs`, else why not (its first alert, scratch paths left out).
  private async check(certs: readonly Pick<CheckedCertificate, "pem">[]): Promise<Verdict> {
    await rm(this.scratch, { recursive: true, force: true });
    const dir = join(this.scratch, "certs");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const [index, cert] of certs.entries())
      await writeFile(join(dir, `${index}.pem`), cert.pem, { mode: 0o600 });
    const config = join(this.scratch, "check.cfg");
    await writeFile(config, renderCheckConfig(dir), { mode: 0o600 });
    const result = await checkConfig(this.bin, [config]);
    if (result.ok) return null;
    // No verdict (not run, timed out, killed): the certificates wait for the next pass, never refused.
    if (result.spawnError !== null) throw new Error(`${this.bin} did not run: ${result.spawnError}`);
    if (result.stopped !== null) throw new Error(result.stopped);
    // "[ALERT] (1) : config : parsing [...] : 'bind ...' ... : unable to load SSL certificate into SSL
    // Context '<scratch>/certs/0.pem'." -> its last part, without the quoted scratch path.
    const alert = result.output.split("\n").find((line) => line.startsWith("[ALERT]")) ?? "";
    const reason = (alert.split(" : ").at(-1) ?? "")
      .replace(/\s*'[^']*'/g, "")
      .trim()
      .slice(0, 300);
    return `HAProxy refuses it: ${reason === "" ? `haproxy -c exited ${String(result.exitCode)}` : reason}`;
  }
}

// A config that only loads certificates: `haproxy -c` binds nothing, and `httpclient.ssl.verify none`
// spares it loading the system's CA store (4 × faster).
function renderCheckConfig(dir: string): string {
  return [
    "global",
    "    httpclient.ssl.verify none",
    "defaults",
    "    mode http",
    "    timeout connect 1s",
    "    timeout client 1s",
    "    timeout server 1s",
    "frontend rh_certificate_check",
    `    bind 127.0.0.1:1 ssl crt ${dir}`,
    "",
  ].join("\n");
}
