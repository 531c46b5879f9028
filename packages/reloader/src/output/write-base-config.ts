// Write the rendered base config where users expect it (HAPROXY_CONFIG), only when the bytes change.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeIfChanged, type WriteResult } from "@rancher-haproxy/core";

// 0600 when the text holds the stats password, else world-readable like the other generated files.
export async function writeBaseConfig(
  path: string,
  content: string,
  holdsSecret: boolean,
): Promise<WriteResult> {
  await mkdir(dirname(path), { recursive: true });
  return writeIfChanged(path, content, holdsSecret ? 0o600 : 0o644);
}
