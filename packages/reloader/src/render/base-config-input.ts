// The inputs of the base haproxy.cfg (see render-base-config.ts) and the maxconn it falls back to.
import type { SyslogFacility, SyslogTarget } from "@rancher-haproxy/core";
import type { RedirectCode } from "../options/reloader-options.js";

// What the base config depends on (the options, with the syslog target already resolved).
export interface BaseConfigInput {
  bindAddress: string;
  httpPort: number;
  /** TCP_PORTS: one `frontend tcp_<port>` each, in this order (absent: none) */
  tcpPorts?: readonly number[];
  https: HttpsInput | null;
  stats: { port: number; username: string; password: string } | null;
  log: SyslogTarget;
  facility: SyslogFacility;
  /** absolute path of the admin (runtime API) socket */
  adminSocket: string;
  hardStopAfterMs: number;
  /** global maxconn (default DEFAULT_MAXCONN): never derived by HAProxy from the fd limit */
  maxconn?: number;
  /** the account the workers drop to after binding (`user`/`group`); absent or null: no change */
  runAs?: { user: string; group: string } | null;
}

// The HTTPS listener: the default certificate, the crt-list of the others (SNI), strict SNI.
export interface HttpsInput {
  port: number;
  /** the default certificate: served when no other matches the SNI (or no SNI is sent) */
  certPath: string;
  redirect: RedirectCode | null;
  /** the crt-list of the certificates selected by SNI (<state>/certs/crt-list), or none */
  crtList?: string | null;
  /** refuse the handshake when no certificate matches the SNI */
  strictSni?: boolean;
}

// The maxconn rendered when the input has none (setup/default-maxconn.ts fits it to the fd limit).
export const DEFAULT_MAXCONN = 20_000;
