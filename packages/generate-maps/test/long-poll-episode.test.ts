// The retry of a long poll that keeps failing (long-poll-episode.ts, moved out of watch-version.ts by
// a74ab3c; README, `longpoll-failed`): 1 s, doubling while it fails, capped by the interval and by
// BACKOFF_CAP_MS, each wait cut at the interval's deadline, and back to 1 s once the long poll works. A
// review of a74ab3c found that no test failed with the doubling broken. The episode is given a wait that
// records each backoff instead of taking it, so nothing waits for a real delay.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BACKOFF_CAP_MS } from "../src/index.js";
import { LongPollEpisode } from "../src/sources/long-poll-episode.js";
import { captureLogger, longpollEvents } from "./helpers.js";

// An episode at `intervalMs` whose clock reads `now()`; `waits` lists each backoff it asked for, in ms.
function recordedEpisode(intervalMs: number, now: () => number = () => 0) {
  const waits: number[] = [];
  const { logger, lines } = captureLogger();
  const episode = new LongPollEpisode(logger, intervalMs, now, async (ms, signal) => {
    waits.push(ms);
    return !signal.aborted;
  });
  return { episode, waits, lines };
}

// `count` failed long polls in a row, the interval's deadline at `deadline` (far off unless given).
async function failTimes(episode: LongPollEpisode, count: number, deadline = 1e9): Promise<void> {
  const signal = new AbortController().signal;
  for (let i = 0; i < count; i++) assert.equal(await episode.failed("refused", deadline, signal), true);
}

test("a long poll that keeps failing is retried after 1 s, 2 s, 4 s, 8 s, then every 10 s at a 60 s interval", async () => {
  const { episode, waits, lines } = recordedEpisode(60_000);
  await failTimes(episode, 7);
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, BACKOFF_CAP_MS, BACKOFF_CAP_MS, BACKOFF_CAP_MS]);
  assert.equal(episode.failing, "error");
  const failed = lines().filter((line) => line["event"] === "longpoll-failed");
  assert.equal(failed.length, 1, "one line for the episode, however many polls fail");
});

test("the long poll's retry never waits longer than the interval", async () => {
  const { episode, waits } = recordedEpisode(3000);
  await failTimes(episode, 4);
  assert.deepEqual(waits, [1000, 2000, 3000, 3000]);
});

test("a long poll that works again is retried after 1 s at its next failure", async () => {
  const { episode, waits, lines } = recordedEpisode(60_000);
  await failTimes(episode, 3);
  episode.works();
  assert.equal(episode.failing, null);
  await failTimes(episode, 2);
  assert.deepEqual(waits, [1000, 2000, 4000, 1000, 2000]);
  assert.deepEqual(longpollEvents(lines()), ["longpoll-failed", "longpoll-restored", "longpoll-failed"]);
});

test("a retry ends at the interval's deadline", async () => {
  const { episode, waits } = recordedEpisode(60_000, () => 58_500);
  await failTimes(episode, 3, 60_000);
  assert.deepEqual(waits, [1000, 1500, 1500], "each wait cut at the deadline, 1.5 s away");
});
