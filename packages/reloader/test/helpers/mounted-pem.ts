// A file the user manages (a mounted secret, a certbot renewal) for HAPROXY_SSL_CERT, and its renewal.
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// What mountedPem made: the file's path and how a tool replaces it.
export interface MountedPem {
  path: string;
  /** renews the file the way a tool replaces one: written beside it, renamed over it */
  replace: (text: string) => Promise<void>;
}

// `site.pem` in a temp dir named by `prefix` (removed after the test), first written with `text`.
export async function mountedPem(
  t: { after: (fn: () => unknown) => void },
  prefix: string,
  text: string,
): Promise<MountedPem> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "site.pem");
  const replace = async (next: string) => {
    await writeFile(`${path}.tmp`, next);
    await rename(`${path}.tmp`, path);
  };
  await replace(text);
  return { path, replace };
}
