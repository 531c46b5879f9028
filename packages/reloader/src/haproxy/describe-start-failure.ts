// Small helpers of the supervisor: the one-line account of a failed first start, and a bounded wait.
import type { Verdict } from "./confirm-reload.js";
import { maskSecrets } from "./find-offending-lines.js";
import type { HaproxyExit } from "./spawn-haproxy.js";

// One line: how the first start failed, with HAProxy's alerts (else its last stderr lines), secrets masked.
export function describeStartFailure(
  verdict: Extract<Verdict, { ok: false }>,
  exit: HaproxyExit | null,
  stderr: readonly string[],
): string {
  const alerts = stderr.filter((line) => /\[(ALERT|EMERG)\]/.test(line));
  const output = (alerts.length > 0 ? alerts : stderr.slice(-5)).map((line) =>
    maskSecrets(line.trim().replace(/\s+/g, " ")),
  );
  const how =
    verdict.kind === "exited" && exit
      ? `HAProxy exited at start-up (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code ?? "?"}`})`
      : `HAProxy did not start: ${verdict.reason}`;
  return output.length > 0 ? `${how}: ${output.join(" | ")}` : how;
}

// The promise's value, or null once `ms` passed first.
export function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
