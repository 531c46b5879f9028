// Adds the certificates to the reloader's status routes: /healthz and /config (JSON) gain a
// `certificates` field, the text /config a `# ==> certificates <==` section. Names, SANs and expiry
// only: keys never leave the state dir. Certificate warnings do not make /healthz fail.
import {
  textResponse,
  withBytes,
  type StatusHandler,
  type StatusResponse,
  type StatusRoutes,
} from "@rancher-haproxy/core";
import type { CertificateSnapshot } from "../certificate-state.js";

// Where the certificate state comes from (the CertificateManager).
export interface CertificateSource {
  snapshot(): CertificateSnapshot;
}

// The routes with the certificates added.
export function withCertificateRoutes(routes: StatusRoutes, certificates: CertificateSource): StatusRoutes {
  const healthz = routes["/healthz"];
  const config = routes["/config"];
  const added: Record<string, StatusHandler> = {};
  // /config's answers with the certificates, kept per answer of the running config (by its encoding, which
  // the running-config cache shares among requests and drops with its generation: so is this) while the
  // certificates are the same. Each request otherwise built its own copy (17 MB of text and as many bytes
  // at a 25 000-stack snapshot, times 64 connections).
  const kept = new WeakMap<object, { certs: string; answer: StatusResponse }>();
  if (healthz)
    added["/healthz"] = async (request) => {
      const answer = await healthz(request);
      const snapshot = certificates.snapshot();
      const summary = {
        served: snapshot.served.length,
        skipped: snapshot.skipped,
        warnings: snapshot.warnings,
        lastUpdate: snapshot.lastUpdate,
        lastError: snapshot.lastError,
      };
      return withField(answer, summary);
    };
  if (config)
    added["/config"] = async (request) => {
      const answer = await config(request);
      if (answer.status !== 200 || request.query.get("file") !== null) return answer;
      const { served, skipped } = certificates.snapshot();
      const format = request.query.get("format") === "json" ? "json" : "text";
      const certs = JSON.stringify({ served, skipped });
      const base = answer.encoded?.body === answer.body ? answer.encoded : undefined;
      const last = base === undefined ? undefined : kept.get(base);
      if (last?.certs === certs) return { ...last.answer };
      const lines = served.map(
        (cert) =>
          `${cert.name} (${cert.source}): ${cert.names.join(" ")} — expires ${cert.notAfter}${cert.chainNotAfter === undefined ? "" : `, its chain ${cert.chainNotAfter}`} (${cert.daysLeft} days), SHA-256 ${cert.fingerprint}`,
      );
      for (const skip of skipped) lines.push(`skipped ${skip.name}: ${skip.reason}`);
      const combined =
        format === "json"
          ? withField(answer, { served, skipped })
          : textResponse(
              `${answer.body}# ==> certificates <==\n${lines.join("\n")}\n`,
              answer.status,
              answer.contentType,
            );
      if (base === undefined) return combined;
      const result = withBytes(combined);
      kept.set(base, { certs, answer: result });
      return result;
    };
  return { ...routes, ...added };
}

// A JSON answer with `certificates` added as its last field (left as is when it is not a JSON object).
// Spliced into the text jsonResponse rendered, with its indent: /config's body is megabytes at 25 000
// stacks, and parsing it again on every request to add one field cost as much as answering it.
export function withField(
  answer: { status: number; contentType: string; body: string },
  value: unknown,
): { status: number; contentType: string; body: string } {
  if (!answer.contentType.startsWith("application/json")) return answer;
  const body = answer.body.trimEnd();
  if (!body.startsWith("{") || !body.endsWith("}")) return answer;
  const head = body.slice(0, -1).trimEnd();
  const field = `"certificates": ${JSON.stringify(value, null, 2).replaceAll("\n", "\n  ")}`;
  return { ...answer, body: `${head}${head === "{" ? "" : ","}\n  ${field}\n}\n` };
}
