import type { Logger } from "pino";
import type { ConnectionDrops } from "./connection-drops.js";
import type { StatusRoutes } from "./status-response.js";

// Where to listen and what to serve; `logger` gets one line per handler failure.
export interface StatusServerOptions {
  host: string;
  port: number;
  routes: StatusRoutes;
  logger: Logger;
  /** STATUS_TOKEN: when set, every path but /healthz needs `Authorization: Bearer <token>` */
  token?: string | null;
  /** the most connections open at once (default 64): past it the new one is closed at once, unless its
   * address holds fewer than another, which loses one of its own instead, an idle one first
   * (share-connections.ts) */
  maxConnections?: number;
  /** a request's headers, the whole request, and an idle connection are cut after this (default 10 s) */
  timeoutMs?: number;
  /** where dropped connections are counted (default: a record of the server's own) */
  drops?: ConnectionDrops;
  /** the large-answer budget: a new large answer (over 1 MiB) that would take the distinct ones waiting
   * to be sent past this many bytes is answered 503, unless none waits (default, and for a value that is
   * not a positive integer, MAX_ANSWER_BYTES_IN_FLIGHT: 256 MiB; give busyCounter the same figure) */
  maxAnswerBytesInFlight?: number;
  /** at most one `status.connections-dropped` line per this many ms (default 60 s) */
  dropLogIntervalMs?: number;
}

// A listening status server: the bound address (port resolved when 0 was asked) and close().
export interface StatusServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** the connections it dropped, by reason (options.drops when given) */
  readonly drops: Readonly<ConnectionDrops>;
  /** the bytes of distinct large answers handed to its sockets and not sent yet (answers-in-flight.ts):
   * 0 once every reader is served or gone, whatever way it went */
  readonly answerBytesInFlight: number;
  close(): Promise<void>;
}
