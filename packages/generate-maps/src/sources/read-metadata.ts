// The metadata source: one whole snapshot (version, containers, aliases) per call, or a thrown error.
import { isNotFound, type MetadataClient } from "@rancher-haproxy/core";
import { z } from "zod";
import type { MetadataInput } from "../model/routing-table.js";
import { MetadataShapeError } from "./metadata-shape-error.js";

// What one cycle works on. `version` is read before the rest, so a change during the fetch moves the
// server's version past it and the next long poll returns at once.
export interface MetadataSnapshot extends MetadataInput {
  version: string;
}

const VERSION = z.string().min(1);
// An array of objects. z.custom rather than z.record: it checks each element without walking its keys
// (10 ms instead of 300+ ms for 50 000 containers); the model reads every field defensively anyway.
const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
const CONTAINERS = z.array(z.custom<Record<string, unknown>>(isObject, "expected an object"));
const ALIASES = z.record(z.string(), z.unknown());

// The paths read, relative to /<api-version>/.
export const METADATA_PATHS = {
  version: "version",
  containers: "containers",
  aliases: "self/service/metadata/aliases",
} as const;

// Reads version, then containers and aliases (a 404 on aliases means none). Throws MetadataError or
// MetadataShapeError on anything else, so the caller keeps the files as they are.
export async function readMetadata(client: MetadataClient, signal?: AbortSignal): Promise<MetadataSnapshot> {
  const version = checkShape(
    client,
    "version",
    VERSION,
    await client.getJson(METADATA_PATHS.version, signal),
  );
  const [containers, aliases] = await Promise.all([
    client.getJson(METADATA_PATHS.containers, signal),
    client.getJson(METADATA_PATHS.aliases, signal).catch((error: unknown) => {
      if (isNotFound(error)) return {};
      throw error;
    }),
  ]);
  return {
    version,
    containers: checkShape(client, "containers", CONTAINERS, containers),
    aliases: checkShape(client, "aliases", ALIASES, aliases),
  };
}

// Validates with zod but returns the value as parsed from JSON: zod's copy would drop keys like __proto__.
function checkShape<T>(
  client: MetadataClient,
  key: keyof typeof METADATA_PATHS,
  schema: z.ZodType<T>,
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (result.success) return value as T;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at [${issue.path.join("][")}]` : "";
  const url = `${client.baseUrl}/${METADATA_PATHS[key]}`;
  throw new MetadataShapeError(
    url,
    `${key} answer has the wrong shape${where}: ${issue?.message ?? "invalid"}`,
  );
}
