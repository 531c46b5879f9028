// What the reloader asks the metadata service about itself: its host's agent IP and its TLS material.
import type { MetadataClient } from "@rancher-haproxy/core";

// self/host/agent_ip: the Rancher host's address, the original default syslog target.
export async function readAgentIp(client: MetadataClient): Promise<string> {
  const value = await client.getJson("self/host/agent_ip");
  if (typeof value !== "string" || value.trim() === "")
    throw new Error("self/host/agent_ip is not a non-empty string");
  return value.trim();
}

// The service metadata's ssl_cert and ssl_key, as stored (maybe base64); an absent key is null.
export interface SslMaterial {
  cert: string | null;
  key: string | null;
}

// self/service/metadata/ssl_cert and ssl_key (a 404 on either gives null for it).
export async function readSslMaterial(client: MetadataClient): Promise<SslMaterial> {
  const [cert, key] = await Promise.all([
    readOptionalString(client, "ssl_cert"),
    readOptionalString(client, "ssl_key"),
  ]);
  return { cert, key };
}

async function readOptionalString(client: MetadataClient, name: string): Promise<string | null> {
  try {
    const value = await client.getJson(`self/service/metadata/${name}`);
    return typeof value === "string" ? value : null;
  } catch (error) {
    if (error instanceof Error && "kind" in error && error.kind === "not-found") return null;
    throw error;
  }
}
