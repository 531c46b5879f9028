// Certificate files that left the crt-list stay until no routing check can still be loading them (a
// read-only review: at 1 000 certificates a `haproxy -c` started before the list changed failed on a
// file removed under it, and a valid routing change was refused).
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { removeStaleCertificateFiles } from "../src/certs/output/write-certificate-files.ts";

test("a stale certificate file is removed once its grace is over, not when it leaves the list", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-stale-certs-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const name of ["a.pem", "b.pem", "c.pem", "crt-list.txt"]) await writeFile(join(dir, name), name);
  const staleSince = new Map<string, number>();
  const keep = (...names: string[]) => new Set(names.map((name) => join(dir, name)));
  const at = (now: number) => ({ graceMs: 1000, staleSince, now });

  assert.deepEqual(await removeStaleCertificateFiles(dir, keep("a.pem"), at(0)), [], "b and c just left");
  assert.deepEqual(await removeStaleCertificateFiles(dir, keep("a.pem", "c.pem"), at(500)), [], "c is back");
  assert.deepEqual(await removeStaleCertificateFiles(dir, keep("a.pem"), at(999)), []);
  assert.deepEqual(await removeStaleCertificateFiles(dir, keep("a.pem"), at(1000)), ["b.pem"]);
  assert.deepEqual((await readdir(dir)).sort(), ["a.pem", "c.pem", "crt-list.txt"]);
  // c left again at 999: its grace counts from then, not from its first time out.
  assert.deepEqual(await removeStaleCertificateFiles(dir, keep("a.pem"), at(1998)), []);
  assert.deepEqual(await removeStaleCertificateFiles(dir, keep("a.pem"), at(1999)), ["c.pem"]);
  assert.equal(staleSince.size, 0, "nothing remembered for files that are gone");
  // Without a grace (before HAProxy runs), at once.
  await writeFile(join(dir, "d.pem"), "d");
  assert.deepEqual(await removeStaleCertificateFiles(dir, keep("a.pem")), ["d.pem"]);
});
