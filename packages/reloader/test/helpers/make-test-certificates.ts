// Throwaway test certificates made with the openssl command line: a self-signed CA and leafs it signs
// (any names, any validity window, so also expired ones), each as {cert (leaf + CA chain), key}.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPair {
  cert: string;
  key: string;
  /** the leaf alone */
  leaf: string;
  serial: string;
}

export interface TestCa {
  caCert: string;
  /** a leaf for `names` (first = CN), valid from `start` to `end` (openssl YYYYMMDDHHMMSSZ), with a
   * P-256 key or, with `rsaBits`, an RSA key of that size */
  issue(names: string[], window?: { start: string; end: string }, key?: { rsaBits: number }): TestPair;
  close(): void;
}

// A CA in a temp dir (removed by close()), valid 30 days, or from `window.start` to `window.end`
// (openssl YYYYMMDDHHMMSSZ: a CA that expires before the leafs it signs).
export function createTestCa(window?: { start: string; end: string }): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "rh-test-ca-"));
  const file = (name: string) => join(dir, name);
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  const subject = ["-subj", "/CN=rancher-haproxy test CA"];
  const caKey = ["-keyout", file("ca.key")];
  if (!window)
    openssl(["req", "-x509", ...ecKey, ...caKey, "-out", file("ca.crt"), "-days", "30", ...subject]);
  writeFileSync(file("index.txt"), "");
  writeFileSync(file("serial"), "1000\n");
  writeFileSync(
    file("ca.cnf"),
    [
      "[ca]",
      "default_ca = test",
      "[test]",
      `database = ${file("index.txt")}`,
      `new_certs_dir = ${dir}`,
      `serial = ${file("serial")}`,
      "default_md = sha256",
      "policy = any",
      "unique_subject = no",
      "copy_extensions = none",
      "[any]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  if (window) {
    openssl(["req", ...ecKey, ...caKey, "-out", file("ca.csr"), ...subject]);
    writeFileSync(file("ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n");
    openssl([
      "ca",
      "-batch",
      "-notext",
      "-selfsign",
      "-config",
      file("ca.cnf"),
      "-keyfile",
      file("ca.key"),
      "-in",
      file("ca.csr"),
      "-out",
      file("ca.crt"),
      "-extfile",
      file("ca.ext"),
      "-startdate",
      window.start,
      "-enddate",
      window.end,
    ]);
  }
  const caCert = readFileSync(file("ca.crt"), "utf8");
  let count = 0;
  return {
    caCert,
    issue(names, window, key) {
      count += 1;
      const base = file(`leaf${count}`);
      openssl([
        "req",
        ...(key ? ["-newkey", `rsa:${key.rsaBits}`, "-nodes"] : ecKey),
        "-keyout",
        `${base}.key`,
        "-out",
        `${base}.csr`,
        "-subj",
        `/CN=${names[0] ?? "x"}`,
      ]);
      writeFileSync(`${base}.ext`, `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}\n`);
      const start = window?.start ?? utc(Date.now() - 3_600_000);
      const end = window?.end ?? utc(Date.now() + 20 * 86_400_000);
      openssl([
        "ca",
        "-batch",
        "-notext",
        "-config",
        file("ca.cnf"),
        "-cert",
        file("ca.crt"),
        "-keyfile",
        file("ca.key"),
        "-in",
        `${base}.csr`,
        "-out",
        `${base}.crt`,
        "-extfile",
        `${base}.ext`,
        "-startdate",
        start,
        "-enddate",
        end,
      ]);
      const leaf = readFileSync(`${base}.crt`, "utf8");
      const serial = openssl(["x509", "-in", `${base}.crt`, "-noout", "-serial"])
        .trim()
        .replace(/^serial=/, "");
      return {
        cert: `${leaf.trim()}\n${caCert.trim()}\n`,
        key: readFileSync(`${base}.key`, "utf8"),
        leaf,
        serial,
      };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// A time as openssl's YYYYMMDDHHMMSSZ.
export function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

function openssl(args: string[]): string {
  return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

// `pem` (one certificate) with its notAfter's month set to 99: it still parses, node reads the date as
// "Bad time value", and HAProxy loads it all the same. The signature no longer matches (nothing checks a
// lone leaf's).
export function withUnreadableNotAfter(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const utcTime = Buffer.from([0x17, 0x0d]);
  const notAfter = der.indexOf(utcTime, der.indexOf(utcTime) + 2);
  if (notAfter < 0) throw new Error("no notAfter UTCTime");
  der[notAfter + 4] = 0x39;
  der[notAfter + 5] = 0x39;
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}
