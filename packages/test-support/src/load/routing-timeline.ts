// Which answers each host may give at each moment, kept while a test changes the routing, and the
// judgement of recorded answers against it.
//
// Tolerance, precisely: an answer A for host H is allowed from the moment a change that routes A for H
// is published (handed to the stand-in metadata server: HAProxy cannot route it earlier) until the
// moment the test confirmed that HAProxy applied a later change that no longer routes it (`applied`,
// read back from the worker). A request counts as routed to A when its span [sent, answered] overlaps
// that window: a request sent before the removal was confirmed may still be answered by A (it was in
// flight, or HAProxy picked A just before the server went to maintenance). Any other answer, a network
// error, a timeout or an unexpected status is a violation. The window's end is late by at most one
// read-back poll, which is the only slack.
import type { LoadRecord } from "./record-load.js";

// The answer of HAProxy's fallback for a host the map does not route (see the reloader's base config).
export const NO_ROUTE_ANSWER = "503 no route for this host";

interface Window {
  answer: string;
  from: number;
  until: number;
}

// One recorded answer that was not allowed, with the reason.
export interface Violation {
  record: LoadRecord;
  reason: string;
}

// Routing windows per host, opened by publish and closed by applied.
export class RoutingTimeline {
  private readonly windows = new Map<string, Window[]>();
  private readonly leaving = new Map<string, Set<Window>>();

  // From `at` on, `host` may answer each of `answers`; answers no longer listed leave at the next applied.
  publish(host: string, answers: readonly string[], at = performance.now()): void {
    const windows = this.windows.get(host) ?? [];
    this.windows.set(host, windows);
    const leaving = this.leaving.get(host) ?? new Set<Window>();
    this.leaving.set(host, leaving);
    const open = windows.filter((window) => window.until === Infinity);
    for (const window of open)
      if (answers.includes(window.answer)) leaving.delete(window);
      else leaving.add(window);
    for (const answer of answers)
      if (!open.some((window) => window.answer === answer))
        windows.push({ answer, from: at, until: Infinity });
  }

  // HAProxy was confirmed (at `at`) to route everything published so far: leaving answers are closed.
  applied(at = performance.now()): void {
    for (const leaving of this.leaving.values()) {
      for (const window of leaving) window.until = at;
      leaving.clear();
    }
  }

  // Whether `answer` was allowed for `host` at some moment of [from, to].
  allows(host: string, answer: string, from: number, to: number): boolean {
    return (this.windows.get(host) ?? []).some(
      (window) => window.answer === answer && window.from <= to && from <= window.until,
    );
  }

  // Every record that failed or got an answer outside its host's windows.
  judge(records: readonly LoadRecord[]): Violation[] {
    const violations: Violation[] = [];
    for (const record of records) {
      if (record.answer === null) violations.push({ record, reason: `error ${record.error ?? "?"}` });
      else if (!this.allows(record.host, record.answer, record.startedAt, record.endedAt))
        violations.push({ record, reason: `"${record.answer}" was not routed for ${record.host} then` });
    }
    return violations;
  }
}
