// Removing the certificate files the crt-list no longer names once no check can still be loading them:
// a routing `haproxy -c` started before the list changed loads every file the list it read names.
import { CHECK_TIMEOUT_MS } from "../haproxy/check-config.js";
import { removeStaleCertificateFiles } from "./output/write-certificate-files.js";

// How long a certificate file stays after it left the crt-list: longer than any routing check that may
// have started before (it loads every file the list it read names).
const STALE_FILE_GRACE_MS = CHECK_TIMEOUT_MS + 5_000;

// The certificate files of `dir` out of the crt-list, by name, since when; each is removed by the first
// sweep after STALE_FILE_GRACE_MS (on the monotonic clock).
export class StaleFileSweep {
  private readonly staleSince = new Map<string, number>();

  constructor(private readonly dir: string) {}

  // Remove the files `keep` does not name whose grace is over.
  async sweep(keep: Iterable<string>): Promise<void> {
    const kept = new Set(keep);
    const removal = { graceMs: STALE_FILE_GRACE_MS, staleSince: this.staleSince, now: performance.now() };
    await removeStaleCertificateFiles(this.dir, kept, removal);
  }
}
