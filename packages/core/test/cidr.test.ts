import assert from "node:assert/strict";
import { test } from "node:test";
import { ipv4ToNumber, parseCidr } from "../src/index.js";

// The rule ipv4ToNumber implements by hand: four octets 0-255 without leading zeros, nothing else.
const DOTTED =
  /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;

test("ipv4ToNumber accepts exactly the dotted quads and computes their value", () => {
  const tricky = [
    "0.0.0.0",
    "255.255.255.255",
    "127.1.24.226",
    "10.42.0.1",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "1.2.3.04",
    "1.2.3.00",
    "256.1.1.1",
    "1.2.3.256",
    "1..2.3",
    ".1.2.3",
    "1.2.3.",
    "1.2.3.4\n",
    " 1.2.3.4",
    "1.2.3.-4",
    "1.2.3.4a",
    "",
    "1000.1.1.1",
    "1.2.3.2555",
    "١.2.3.4",
    "199.249.9.1",
  ];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed);
  const chars = "0123456789.";
  for (let i = 0; i < 5000; i++) {
    const length = 7 + (random() % 10);
    tricky.push(Array.from({ length }, () => chars[random() % chars.length]).join(""));
  }
  for (const text of tricky) {
    const expected = DOTTED.test(text)
      ? text.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0)
      : undefined;
    assert.equal(ipv4ToNumber(text), expected, JSON.stringify(text));
  }
  assert.equal(ipv4ToNumber("255.255.255.255"), 2 ** 32 - 1);
  assert.deepEqual(parseCidr("127.0.0.0/8"), { base: 127 * 2 ** 24, bits: 8 });
});
