// What the reloader asks the metadata service about its host: the agent IP (its TLS material:
// read-ssl-material.ts).
import type { MetadataClient } from "@rancher-haproxy/core";

// self/host/agent_ip: the Rancher host's address, the original default syslog target.
export async function readAgentIp(client: MetadataClient): Promise<string> {
  const value = await client.getJson("self/host/agent_ip");
  if (typeof value !== "string" || value.trim() === "")
    throw new Error("self/host/agent_ip is not a non-empty string");
  return value.trim();
}
