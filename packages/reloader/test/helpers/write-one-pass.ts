// Both shared files rewritten so the running reloader reads them in one pass. Its watcher reads the files
// 10 ms after the first rename (LEADING_SETTLE_MS): on a loaded machine that read may come between the
// backends rename and the map's, and the change is applied in two passes (each consistent, as designed),
// so a test that counts reloads, snapshots or steps of "the change" would see two. Stopped (SIGSTOP)
// while the fixture writes, the reloader sees both renames when it resumes.
import type { Fixture } from "./fixture.ts";

// fixture.write with the reloader stopped meanwhile (its pid must be the reloader's node: no `wrap`).
export async function writeInOnePass(
  fixture: Fixture,
  files: { backends?: string; map?: string },
): Promise<void> {
  process.kill(fixture.reloader.pid, "SIGSTOP");
  try {
    await fixture.write(files);
  } finally {
    process.kill(fixture.reloader.pid, "SIGCONT");
  }
}
