// Split the master CLI's answer to one batch line (batch-lines.ts) back into one answer per command.
// HAProxy 2.6.12, non-interactive master CLI, `@!<pid> c1;…;@!<pid> cn` (checked on this box):
// - the commands run in order, each answer as the worker prints it followed by one empty line: an empty
//   answer is "\n", "No such server." is "No such server.\n\n"; no answer of an allow-listed command
//   (state, shutdown, addr, map commands, `show servers state <b>`, `get map`, `show map`) holds an
//   empty line, so the empty lines cut the text into exactly one answer per command;
// - an error answer in the middle ends that command only: the later commands still run;
// - an unknown `@!<pid>` is answered "Can't find the target PID matching the prefix '@!<pid>'\n" (no
//   empty line) and the master drops the rest of the line.
// So a text with that line, with an unterminated answer or with another count of answers is a failure,
// never a guess. The master's `show proc` comes on a connection of its own (worker-commands.ts).
const UNKNOWN_PID = "Can't find the target PID";

// The answers (trailing empty line removed), or why the text does not split.
export function splitBatchAnswers(
  text: string,
  count: number,
): { ok: true; answers: string[] } | { ok: false; reason: string } {
  const answers: string[] = [];
  let lines: string[] = [];
  // Every answer ends with "\n": the piece after the last "\n" is not a line.
  for (const line of text.split("\n").slice(0, -1)) {
    if (line.startsWith(UNKNOWN_PID))
      return {
        ok: false,
        reason: `the master did not run the whole batch: ${JSON.stringify(line.slice(0, 160))}`,
      };
    if (line !== "") lines.push(line);
    else {
      answers.push(lines.join("\n"));
      lines = [];
    }
  }
  const unterminated = lines.length > 0 || (text !== "" && !text.endsWith("\n"));
  if (unterminated || answers.length !== count)
    return {
      ok: false,
      reason: `the batch's answers do not split into ${count} (${answers.length}${unterminated ? " and an unterminated one" : ""})`,
    };
  return { ok: true, answers };
}

// Whether `text` is the whole answer to a batch line of `count` commands: exactly `count` answers, each
// closed by its empty line. HAProxy 2.6.12's master CLI can send a whole answer and never close the
// connection (worker-commands.ts): the timeout then names that case. No prefix of a whole answer is one.
export function batchAnswerEnded(count: number): (text: string) => boolean {
  return (text) => splitBatchAnswers(text, count).ok;
}

// Whether `text` is a whole answer to `show proc` alone: the master's "#<PID>" header first, then the
// empty line that closes it, at the end (`show proc` holds no empty line of its own).
export function procAnswerEnded(text: string): boolean {
  return text.startsWith("#<PID>") && text.indexOf("\n\n") === text.length - 2;
}
