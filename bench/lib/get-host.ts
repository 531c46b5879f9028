// One GET through the proxy with a given Host, on a fresh connection: the body of a 200, else null.
import { request } from "node:http";

// Ask `url` for `host`; resolves null on any error, timeout or non-200 (a probe, not a load).
export function getHost(url: string, host: string, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { host, connection: "close" }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString("utf8") : null));
      res.on("error", () => resolve(null));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}
