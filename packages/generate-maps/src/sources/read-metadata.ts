// The metadata source: one whole snapshot (version, containers, aliases) per call, or a thrown error.
import {
  isMetadataVersion,
  isNotFound,
  JsonArrayEntries,
  MAX_VERSION_LENGTH,
  type MetadataClient,
  type MetadataError,
} from "@rancher-haproxy/core";
import { scopedSignal } from "../loop/scoped-signal.js";
import type { ContainerEntries, MetadataInput } from "../model/routing-table.js";
import { MetadataShapeError } from "./metadata-shape-error.js";
import { checkEnvironmentAnswer } from "./environment-uuid.js";
import { ANSWER_CAPS } from "./answer-caps.js";

// What one cycle works on. `version` is known before the rest is read (the long poll's answer, or a GET
// of /version), so a change during or after the fetch moves the server's version past it and the next
// long poll, which asks with this version, returns at once: no change is missed.
export interface MetadataSnapshot extends MetadataInput {
  version: string;
  /** false when metadata does not know the generator's own container (its client IP): then the aliases'
   * 404 says nothing about them (carry-aliases.ts keeps the last ones read) */
  selfKnown: boolean;
}

// What an answer must be, and what the refusal says when it is not.
interface Shape<T> {
  is: (value: unknown) => value is T;
  expected: string;
}

const VERSION: Shape<string> = {
  is: isMetadataVersion,
  expected: `expected 1 to ${MAX_VERSION_LENGTH} printable ASCII characters`,
};
// A list. Its entries are the model's to judge: one that is not an object is skipped with a reason
// (entry-invalid) and the other stacks still get their updates; only an answer that is not a list fails.
// Read as entries (parsed one at a time by the model, see snapshotReadError), or an array (a test's
// client): the entries are not walked here.
const CONTAINERS: Shape<ContainerEntries> = {
  is: (value): value is ContainerEntries => Array.isArray(value) || value instanceof JsonArrayEntries,
  expected: "expected array",
};

// The paths read, relative to /<api-version>/.
export const METADATA_PATHS = {
  version: "version",
  containers: "containers",
  aliases: "self/service/metadata/aliases",
  /** asked only when the aliases answer 404: does metadata know the generator's own service at all? */
  selfService: "self/service/name",
  /** the generator's own environment: /containers also lists other environments' linked services */
  environment: "self/container/environment_uuid",
} as const;

// Reads version, then containers, aliases and the generator's own environment uuid (a 404 on aliases
// means none, once self/service/name says metadata knows the generator's own container: the real server
// answers the same 404 for a client IP it does not know, e.g. a generator just redeployed on a new
// address). `knownVersion` is a version the server answered just before (the long poll that woke the loop):
// then /version is not asked again, one request less per change. `knownEnvironment`: the generator's
// environment an earlier read gave (a container's never changes): then it is not asked again either, unless
// `askEnvironmentAgain` (a cycle skipped a container for it); then only another uuid replaces it, and a 404,
// a failure or an empty or non-string answer keeps it (one such answer must not route the linked
// environments' containers here, nor fail the read); a string that is not a short token (environment-uuid.ts)
// is refused as a failure of the request (fails the read before any uuid is known). Throws MetadataError or
// MetadataShapeError on anything else, so the caller keeps the files as they are.
export async function readMetadata(
  client: MetadataClient,
  signal?: AbortSignal,
  knownVersion?: string,
  knownEnvironment: string | null = null,
  askEnvironmentAgain = false,
): Promise<MetadataSnapshot> {
  const version =
    knownVersion ??
    checkShape(client, "version", VERSION, await client.getJson(METADATA_PATHS.version, signal));
  // Either request failing cancels the other: a slow sibling would otherwise go on reading (up to the
  // answer cap) while the loop backs off and starts the next cycle's requests beside it.
  const both = scopedSignal(signal ?? new AbortController().signal);
  const failing = (error: unknown): never => {
    both.abort();
    throw error;
  };
  let containers: unknown;
  let aliases: unknown;
  let environment: unknown;
  let selfKnown = true;
  try {
    [containers, aliases, environment] = await Promise.all([
      client.getJson(METADATA_PATHS.containers, both.signal, "entries").catch(failing),
      client
        .getJson(METADATA_PATHS.aliases, both.signal, "value", ANSWER_CAPS.aliases)
        .catch((error: unknown) => (isNotFound(error) ? NO_ALIASES : failing(error))),
      // a 404 (metadata does not know the generator): unknown, and no container is skipped for it; asked
      // again, the known one stays
      knownEnvironment !== null && !askEnvironmentAgain
        ? knownEnvironment
        : client
            .getJson(METADATA_PATHS.environment, both.signal, "value", ANSWER_CAPS.environment)
            .then((value) => checkEnvironmentAnswer(`${client.baseUrl}/${METADATA_PATHS.environment}`, value))
            .catch((error: unknown) =>
              knownEnvironment !== null || isNotFound(error) ? null : failing(error),
            ),
    ]);
    if (aliases === NO_ALIASES)
      selfKnown = await client
        .getJson(METADATA_PATHS.selfService, both.signal, "value", ANSWER_CAPS.selfService)
        .then(
          () => true,
          (error: unknown) => (isNotFound(error) ? false : failing(error)),
        );
  } finally {
    both.release();
  }
  return {
    version,
    containers: checkShape(client, "containers", CONTAINERS, containers),
    // Whatever it holds: the model skips an answer that is not a map of stacks to names (alias-invalid).
    aliases: aliases === NO_ALIASES ? {} : aliases,
    environment: typeof environment === "string" && environment !== "" ? environment : knownEnvironment,
    selfKnown,
  };
}

// The aliases path answered 404.
const NO_ALIASES = Symbol("no aliases");

// The read error the model's walk of a snapshot found: an entry of /containers that is not JSON, so the
// answer was not JSON and is refused as a whole, as a failed read (files kept). Null: all of it parsed.
// Call it after buildRoutingTable (entries not parsed by then are parsed here).
export function snapshotReadError(snapshot: MetadataSnapshot): MetadataError | null {
  return snapshot.containers instanceof JsonArrayEntries ? snapshot.containers.failure() : null;
}

// The value as parsed from JSON when it has the shape, else a MetadataShapeError naming the path.
function checkShape<T>(
  client: MetadataClient,
  key: keyof typeof METADATA_PATHS,
  shape: Shape<T>,
  value: unknown,
): T {
  if (shape.is(value)) return value;
  const url = `${client.baseUrl}/${METADATA_PATHS[key]}`;
  throw new MetadataShapeError(url, `${key} answer has the wrong shape: ${shape.expected}`);
}
