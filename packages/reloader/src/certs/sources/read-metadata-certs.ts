// The proxy service's own TLS material in metadata, as stored: ssl_cert/ssl_key (the default
// certificate) and `certs` (name → {cert, key}); one request, checked by the model, never logged.
import type { MetadataClient } from "@rancher-haproxy/core";

// What self/service/metadata holds about TLS; absent fields are null, `certs` is unchecked.
export interface MetadataCerts {
  defaultCert: string | null;
  defaultKey: string | null;
  certs: unknown;
}

// GET self/service/metadata once; throws (MetadataError) when the service cannot be read or `signal`
// aborts it (a stop: a pass in flight must not hold the stop while an answer trickles in). Read to the
// general cap (64 MiB): no smaller one follows from what the checks accept, 1 000 `certs:` entries of a
// cert and a key of 64 Ki characters each (list-metadata-certs.ts), 125 MiB of text before any escaping,
// beside ssl_cert, ssl_key and the aliases (read to 32.5 MB by the generator) in the same answer.
export async function readMetadataCerts(
  client: MetadataClient,
  signal?: AbortSignal,
): Promise<MetadataCerts> {
  let metadata: unknown;
  try {
    metadata = await client.getJson("self/service/metadata", signal);
  } catch (error) {
    if (error instanceof Error && "kind" in error && error.kind === "not-found") metadata = {};
    else throw error;
  }
  const record =
    typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    defaultCert: text(record["ssl_cert"]),
    defaultKey: text(record["ssl_key"]),
    certs: record["certs"] ?? null,
  };
}
