// Polls a host through the proxy until it gives the expected answer: how convergence is measured (from a
// change at the stand-in to the first good answer) and how tests wait for a new route.
import { httpRequest, type SimpleResponse } from "../http/http-request.js";
import { waitFor } from "../haproxy/wait-for.js";

// What to ask and what counts as the answer.
export interface AnswerProbe {
  /** the proxy, e.g. http://127.0.0.1:8080/ */
  url: string;
  /** the Host header */
  host: string;
  /** the awaited answer (default: status 200) */
  expect?: (response: SimpleResponse) => boolean;
  /** measure from this performance.now() time (default: the call) */
  since?: number;
  timeoutMs?: number;
  intervalMs?: number;
}

// The first expected answer and the time from `since` to it.
export interface Answered {
  response: SimpleResponse;
  elapsedMs: number;
}

// One fresh connection per try (no pooled connection to an old worker); rejects after timeoutMs (default 15 s).
export async function waitForAnswer(probe: AnswerProbe): Promise<Answered> {
  const since = probe.since ?? performance.now();
  const expect = probe.expect ?? ((response: SimpleResponse) => response.status === 200);
  let last = "no answer yet";
  const response = await waitFor(
    async () => {
      const answer = await httpRequest({ url: probe.url, host: probe.host, timeoutMs: 2000 });
      last = `${answer.status} ${answer.body.slice(0, 80)}`;
      return expect(answer) ? answer : null;
    },
    {
      timeoutMs: probe.timeoutMs ?? 15_000,
      intervalMs: probe.intervalMs ?? 10,
      message: `the expected answer for Host ${probe.host}`,
    },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last answer: ${last}`, { cause: error });
  });
  return { response, elapsedMs: Math.round(performance.now() - since) };
}
