// Split the master CLI's answer to one batch line (batch-lines.ts) back into one answer per command.
// HAProxy 2.6.12, non-interactive master CLI, `@!<pid> c1;…;@!<pid> cn;show proc` (checked on this box):
// - the commands run in order, each answer as the worker prints it followed by one empty line: an empty
//   answer is "\n", "No such server." is "No such server.\n\n"; no answer of an allow-listed command
//   (state, shutdown, addr, map commands, `show servers state <b>`, `get map`, `show map`) holds an
//   empty line, so the empty lines cut the text into exactly one answer per command;
// - an error answer in the middle ends that command only: the later commands still run;
// - an unknown `@!<pid>` is answered "Can't find the target PID matching the prefix '@!<pid>'\n" (no
//   empty line) and the master drops the rest of the line: the trailing `show proc` never comes;
// - `show proc` (the master's own, starting with its "#<PID>" header) ends the text.
// So a text without the `show proc` at its end, with an unterminated answer or with another count of
// answers is a failure, never a guess.
import { parseShowProc, type ProcInfo } from "@rancher-haproxy/core";

const HEADER = "#<PID>";

// The answers (trailing empty line removed) and the master's `show proc`, or why the text does not split.
export function splitBatchAnswers(
  text: string,
  count: number,
): { ok: true; answers: string[]; proc: ProcInfo } | { ok: false; reason: string } {
  const at = procStart(text);
  const proc = at === null ? null : parseShowProc(text.slice(at));
  if (at === null || proc === null) {
    const last = text.trimEnd().split("\n").at(-1) ?? "";
    return {
      ok: false,
      reason: `the master did not run the whole batch: ${JSON.stringify(last.slice(0, 160))}`,
    };
  }
  const answers: string[] = [];
  let lines: string[] = [];
  // The worker part ends with "\n" (or is empty): the piece after the last "\n" is not a line.
  for (const line of text.slice(0, at).split("\n").slice(0, -1)) {
    if (line !== "") lines.push(line);
    else {
      answers.push(lines.join("\n"));
      lines = [];
    }
  }
  if (lines.length > 0 || answers.length !== count)
    return {
      ok: false,
      reason: `the batch's answers do not split into ${count} (${answers.length}${lines.length > 0 ? " and an unterminated one" : ""})`,
    };
  return { ok: true, answers, proc };
}

// Whether `text` is a whole answer to a batch line: it ends with the master's `show proc` and the empty
// line closing it (`show proc` holds no empty line of its own). HAProxy 2.6.12's master CLI sometimes sends
// that in full and never closes the connection (worker-commands.ts): the timeout then names that case.
export function batchAnswerEnded(text: string): boolean {
  const at = procStart(text);
  return at !== null && text.endsWith("\n\n") && text.indexOf("\n\n", at) === text.length - 2;
}

// Where the master's `show proc` starts (its header at a line start, the last one), null without one.
function procStart(text: string): number | null {
  if (text.startsWith(HEADER)) return 0;
  const at = text.lastIndexOf(`\n${HEADER}`);
  return at < 0 ? null : at + 1;
}
