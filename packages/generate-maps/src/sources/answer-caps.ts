// The caps of the answers the generator reads beside /containers, under the general one (METADATA_MAX_BYTES,
// 64 MiB; the client takes the smaller): each was read to 64 MiB, every cycle, from a hostile server.
// `/version` has its own (MAX_VERSION_ANSWER_BYTES, in core's client).
import { MAX_DNS_LABEL_LENGTH, MAX_DNS_NAME_LENGTH, MAX_SMALL_ANSWER_BYTES } from "@rancher-haproxy/core";
import { MAX_ALIAS_ENTRIES } from "../model/resolve-aliases.js";

// The bytes of one alias name in the answer, at its longest: a host name (253 characters at most: a longer
// one is skipped, alias-invalid) quoted, with its comma.
const ALIAS_NAME_BYTES = MAX_DNS_NAME_LENGTH + 3;
// The bytes of one stack's key at its longest: a DNS label (a stack named otherwise is never routed, so its
// aliases are never used), quoted, with `:[`, `]` and a comma.
const STACK_KEY_BYTES = MAX_DNS_LABEL_LENGTH + 6;

// The most bytes read of each answer (see METADATA_PATHS).
export const ANSWER_CAPS = {
  /** The largest compact aliases answer all of whose entries the model may use: MAX_ALIAS_ENTRIES (100 000)
   * names and as many stacks, each at its longest, ≈ 32.5 MB. The model reads no more entries than that
   * (the rest are skipped, alias-limit), the map's alias keys stop at 100 000 too (MAX_TABLE_ALIAS_KEYS)
   * and every key is a host name HAProxy's map takes whole. Real answers name a few dozen. */
  aliases: MAX_ALIAS_ENTRIES * (ALIAS_NAME_BYTES + STACK_KEY_BYTES) + 2,
  /** a uuid of at most 128 characters (environment-uuid.ts), quoted: 4 KiB */
  environment: MAX_SMALL_ANSWER_BYTES,
  /** a service's name; only whether it answers (not 404) is used: 4 KiB */
  selfService: MAX_SMALL_ANSWER_BYTES,
} as const;
