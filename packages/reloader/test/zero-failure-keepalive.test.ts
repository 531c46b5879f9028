// Zero failed requests across ≥ 100 reloads under concurrent load, with keep-alive clients: every answer must be
// a 200 from the expected backend (a correctness test: the failure count must be 0, whatever the speed).
import { zeroFailureTest } from "./helpers/zero-failure-test.ts";

zeroFailureTest({ clients: "keep-alive", keepAlive: true, hostBase: "127.0.1" });
