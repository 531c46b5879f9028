// The long poll's timings, shared by the version watcher (watch-version.ts) and the parts it takes its
// decisions from: what counts as a held poll, the first retry's wait, and the maxWait every poll asks for.
import { BACKOFF_CAP_MS } from "../loop/backoff.js";

// An unchanged version sooner than this means the server does not hold long polls: treat it as a failure.
// It is also how long a change /version showed at the interval's deadline gets to arrive through the poll.
export const MIN_UNCHANGED_POLL_MS = 500;

// The first wait before a failed long poll is tried again; it doubles while it keeps failing, up to the
// interval and BACKOFF_CAP_MS.
export const LONG_POLL_RETRY_MS = 1000;

// The maxWait every long poll asks for: a held poll and one that hangs (the server accepts, never answers)
// look alike until the client's timeout, maxWait + 10 s, so a hang fails within 20 s. At the 120 s the
// server allows, a hang failed only after 130 s, and /healthz stayed 200 that long (then 30 s more) at a
// long POLL_INTERVAL. A working server answers at maxWait plus up to its 5 s ticker, inside the timeout.
export const LONG_POLL_MAX_WAIT_MS = BACKOFF_CAP_MS;
