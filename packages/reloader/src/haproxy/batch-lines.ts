// Cut runtime-API commands for one worker into master-CLI lines: `@!<pid> c1;@!<pid> c2;…`, each under
// MAX_BATCH_BYTES (HAProxy silently drops a line over its 16 KB buffer). The master's `show proc` that
// tells whether `<pid>` was still the current worker goes on a connection of its own after each line
// (worker-commands.ts): on the same line, after large answers, it made HAProxy 2.6.12's master stall.
/** HAProxy silently drops runtime-API payloads over 16 KB: a batch is cut well below that */
export const MAX_BATCH_BYTES = 12 * 1024;

// One master-CLI line and the commands it carries, in order.
export interface BatchLine {
  commands: string[];
  line: string;
}

// The lines for `commands` (in order, as few as the size limit allows), or why a command cannot be
// sent in a batch: empty, or holding a newline, `;` or `\` (which would cut or join commands), or too long.
export function batchLines(
  commands: readonly string[],
  pid: number,
): { ok: true; lines: BatchLine[] } | { ok: false; reason: string } {
  const lines: BatchLine[] = [];
  let current: string[] = [];
  let bytes = 0;
  const close = () => {
    lines.push({ commands: current, line: current.map((c) => `@!${pid} ${c}`).join(";") });
    current = [];
  };
  for (const command of commands) {
    // Each routed command and its `;` (the last one's stands for the line's final newline).
    const size = Buffer.byteLength(`@!${pid} ${command};`);
    if (command.trim() === "" || /[\n;\\]/.test(command) || size > MAX_BATCH_BYTES)
      return {
        ok: false,
        reason: `refused to send "${command.slice(0, 80)}": empty, a newline, ";" or "\\", or over the size limit`,
      };
    if (current.length > 0 && bytes + size > MAX_BATCH_BYTES) {
      close();
      bytes = 0;
    }
    current.push(command);
    bytes += size;
  }
  if (current.length > 0) close();
  return { ok: true, lines };
}
