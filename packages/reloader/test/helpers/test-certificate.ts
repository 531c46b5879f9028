// The throwaway self-signed test certificate of the recorded metadata scenario (CN=*.example.test,
// EC P-256; not a secret), and a key that does not belong to it.
import { generateKeyPairSync } from "node:crypto";
import { loadRecordedTree } from "../../../test-support/src/metadata/index.ts";

export interface TestCertificate {
  cert: string;
  key: string;
}

// From the recorded lb/HTTP service metadata (ssl_cert, ssl_key).
export function recordedCertificate(): TestCertificate {
  const tree = loadRecordedTree("2015-12-19") as {
    services?: { metadata?: Record<string, unknown> | null }[];
  };
  for (const service of tree.services ?? []) {
    const cert = service.metadata?.["ssl_cert"];
    const key = service.metadata?.["ssl_key"];
    if (typeof cert === "string" && typeof key === "string") return { cert, key };
  }
  throw new Error("the recorded metadata has no ssl_cert/ssl_key");
}

// A valid EC private key that does not match the recorded certificate.
export function otherKey(): string {
  return generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
}
