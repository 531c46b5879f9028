// What the reloader asks the metadata service about its host: the agent IP (its TLS material:
// read-ssl-material.ts).
import { MAX_SMALL_ANSWER_BYTES, type MetadataClient } from "@rancher-haproxy/core";

// self/host/agent_ip: the Rancher host's address, the original default syslog target. Read to 4 KiB (an
// IP address literal is 45 characters at the longest), which must also come whole within the request's
// timeout; it was read to the general 64 MiB cap.
export async function readAgentIp(client: MetadataClient): Promise<string> {
  const value = await client.getJson("self/host/agent_ip", undefined, "value", MAX_SMALL_ANSWER_BYTES);
  if (typeof value !== "string" || value.trim() === "")
    throw new Error("self/host/agent_ip is not a non-empty string");
  return value.trim();
}
