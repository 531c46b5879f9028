// The service metadata's ssl_cert and ssl_key, which the start builds the default certificate from when no
// file holds it. Loaded with the certificates' code, only with ENABLE_SSL.
import type { MetadataClient } from "@rancher-haproxy/core";
import { MAX_CERTIFICATE_TEXT } from "../certs/model/check-certificate.js";

// The characters of ssl_cert or ssl_key as stored, wrapped every 64: a text of MAX_CERTIFICATE_TEXT
// characters (the most the start accepts once decoded) is at most 3 UTF-8 bytes a character, so at most 4
// times as many characters in base64 (SSL_BASE64_ENCODED), with a line break every 64 (openssl's width;
// `base64 -w0`, which the docs advise, has none, base64(1) wraps at 76). A PEM given as it is is 4 times
// shorter. Not the most the start accepts: its decoder drops any whitespace (CRLF every 64 makes 270 334).
const MAX_SSL_STORED_TEXT = 4 * MAX_CERTIFICATE_TEXT + (4 * MAX_CERTIFICATE_TEXT) / 64;

/** The cap of each answer, under the general one (64 MiB), which it was read to: that text as a JSON
 * string at its longest, each character escaped as \uXXXX (Go's encoder escapes <, > and & so) and quoted:
 * 1 597 442 bytes. Base64 is never escaped, so an accepted text passes it only with over 1.3 MB of escaped
 * whitespace (over 330 000 CRLFs, more than one a base64 character); the longest wrapped with CRLF every 64
 * is 278 526 bytes. */
export const MAX_SSL_ANSWER_BYTES = 6 * MAX_SSL_STORED_TEXT + 2;

// The service metadata's ssl_cert and ssl_key, as stored (maybe base64); an absent key is null.
export interface SslMaterial {
  cert: string | null;
  key: string | null;
}

// self/service/metadata/ssl_cert and ssl_key, each read to MAX_SSL_ANSWER_BYTES (a 404 on either gives
// null for it).
export async function readSslMaterial(client: MetadataClient): Promise<SslMaterial> {
  const [cert, key] = await Promise.all([
    readOptionalString(client, "ssl_cert"),
    readOptionalString(client, "ssl_key"),
  ]);
  return { cert, key };
}

async function readOptionalString(client: MetadataClient, name: string): Promise<string | null> {
  try {
    const value = await client.getJson(
      `self/service/metadata/${name}`,
      undefined,
      "value",
      MAX_SSL_ANSWER_BYTES,
    );
    return typeof value === "string" ? value : null;
  } catch (error) {
    if (error instanceof Error && "kind" in error && error.kind === "not-found") return null;
    throw error;
  }
}
