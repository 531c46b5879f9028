// Node TLS clients for the TLS part: full handshakes per second (no session reuse: HAProxy runs with
// no-tls-tickets and Node resumes only when asked), and HTTPS requests per second on keep-alive.
import { Agent, request } from "node:https";
import { connect } from "node:tls";

// Counted over `seconds`: completed and failed.
export interface TlsLoadRun {
  perSecond: number;
  done: number;
  failed: number;
}

// `concurrency` loops of connect + handshake + close, SNI rotating over `names`.
export async function runHandshakes(
  port: number,
  names: readonly string[],
  seconds: number,
  concurrency = 8,
): Promise<TlsLoadRun> {
  let done = 0;
  let failed = 0;
  let turn = 0;
  const deadline = performance.now() + seconds * 1000;
  const once = (servername: string) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false });
      socket.once("secureConnect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
  const loop = async () => {
    while (performance.now() < deadline) {
      if (await once(names[turn++ % names.length] ?? "")) done += 1;
      else failed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { perSecond: Math.round(done / ((performance.now() - started) / 1000)), done, failed };
}

// `concurrency` clients on a keep-alive agent, client i on host names[i * step % n] (SNI and Host).
export async function runHttpsRequests(
  port: number,
  names: readonly string[],
  seconds: number,
  concurrency = 16,
): Promise<TlsLoadRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let done = 0;
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  const get = (host: string) =>
    new Promise<boolean>((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/",
          servername: host,
          headers: { host },
          agent,
          rejectUnauthorized: false,
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode === 200));
          res.on("error", () => resolve(false));
        },
      );
      req.on("error", () => resolve(false));
      req.end();
    });
  const loop = async (index: number) => {
    const host = names[(index * 37) % names.length] ?? "";
    while (performance.now() < deadline) {
      if (await get(host)) done += 1;
      else failed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, index) => loop(index)));
  agent.destroy();
  return { perSecond: Math.round(done / ((performance.now() - started) / 1000)), done, failed };
}
