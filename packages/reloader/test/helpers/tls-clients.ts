// Real TLS clients for the certificate tests: a handshake (which certificate, which ALPN), an HTTPS
// GET, and a steady HTTPS load (keep-alive and new connections) that counts every failed request.
import { Agent, request } from "node:https";
import { connect, type PeerCertificate } from "node:tls";

export interface Handshake {
  ok: boolean;
  /** the leaf's serial (uppercase hex) and CN */
  serial: string;
  cn: string;
  alpn: string | false;
  error: string | null;
}

// One handshake to 127.0.0.1:port with `servername` (none when undefined); never rejects.
export function tlsHandshake(port: number, servername?: string, alpn?: string[]): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({
      host: "127.0.0.1",
      port,
      ...(servername === undefined ? {} : { servername }),
      ...(alpn ? { ALPNProtocols: alpn } : {}),
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => socket.destroy(new Error("handshake timeout")), 10_000);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const cert: PeerCertificate = socket.getPeerCertificate();
      const cn = String(cert.subject?.CN ?? "");
      resolve({
        ok: true,
        serial: String(cert.serialNumber ?? "").toUpperCase(),
        cn,
        alpn: socket.alpnProtocol ?? false,
        error: null,
      });
      socket.end();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, serial: "", cn: "", alpn: false, error: String(error) });
    });
  });
}

// GET / over HTTPS with SNI `servername` and Host `host`; `agent` false: a new connection.
export function httpsGet(
  port: number,
  servername: string,
  host: string,
  agent: Agent | false,
): Promise<{ status: number; body: string; serial: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/",
        servername,
        headers: { host },
        agent,
        rejectUnauthorized: false,
        timeout: 5000,
      },
      (res) => {
        const socket = res.socket as unknown as { getPeerCertificate?: () => PeerCertificate };
        const serial = String(socket.getPeerCertificate?.().serialNumber ?? "").toUpperCase();
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, serial }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timeout")));
    req.on("error", reject);
    req.end();
  });
}

export interface HttpsLoadResult {
  sent: number;
  failed: number;
  samples: string[];
  serials: Set<string>;
}

// `concurrency` clients, half on a keep-alive agent and half on a new connection per request, until stop().
export function startHttpsLoad(
  port: number,
  servername: string,
  expectBody: string,
  concurrency = 8,
): { stop(): Promise<HttpsLoadResult> } {
  const result: HttpsLoadResult = { sent: 0, failed: 0, samples: [], serials: new Set() };
  const keepAlive = new Agent({ keepAlive: true, maxSockets: concurrency });
  let stopped = false;
  const worker = async (index: number) => {
    while (!stopped) {
      result.sent += 1;
      try {
        const answer = await httpsGet(port, servername, servername, index % 2 === 0 ? keepAlive : false);
        result.serials.add(answer.serial);
        if (answer.status !== 200 || answer.body !== expectBody) {
          result.failed += 1;
          if (result.samples.length < 10) result.samples.push(`${answer.status} ${answer.body.slice(0, 80)}`);
        }
      } catch (error) {
        result.failed += 1;
        if (result.samples.length < 10) result.samples.push(String(error));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, (_, index) => worker(index));
  return {
    async stop() {
      stopped = true;
      await Promise.all(workers);
      keepAlive.destroy();
      return result;
    },
  };
}
