// The maxconn rendered when MAXCONN is unset, against what the option docs say it is: 20 000, lowered to
// the fd hard limit minus 1000, never below 256 (under a 1024 hard limit, 256, not 24).
import assert from "node:assert/strict";
import { test } from "node:test";
import { OPTION_TABLE } from "@rancher-haproxy/core";
import { defaultMaxconn } from "../src/setup/default-maxconn.ts";

test("the default maxconn is 20000, lowered to the fd hard limit minus 1000, at least 256, as documented", () => {
  assert.deepEqual(
    [null, 1_048_576, 21_000, 5000, 1256, 1024, 1].map((limit) => defaultMaxconn(limit)),
    [20_000, 20_000, 20_000, 4000, 256, 256, 256],
  );
  assert.match(
    OPTION_TABLE.maxconn.describe,
    /default: 20000, lowered to the fd hard limit minus 1000, at least 256/,
  );
});
