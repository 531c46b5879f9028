// The smallest global and defaults sections a test's base config starts with (HTTP, 1 s timeouts): what
// `haproxy -c` needs before the sections a test is about.
export const QUIET_BASE_LINES: readonly string[] = [
  "global",
  "    maxconn 100",
  "defaults",
  "    mode http",
  "    timeout connect 1s",
  "    timeout client 1s",
  "    timeout server 1s",
];
