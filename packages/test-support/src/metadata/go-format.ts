// Go formatting rules the real server's output depends on, reproduced for JavaScript values.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

// Go's url.QueryEscape: text listings escape map keys and array names with it.
export function queryEscape(s: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(s);
  } catch {
    encoded = encodeURIComponent(s.replace(LONE_SURROGATE, "\ufffd"));
  }
  return encoded
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

// Go's fmt "%f" with trailing zeros and dot trimmed: how the text mode prints a float64.
export function formatTextNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  const fixed = Math.abs(n) < 1e21 ? n.toFixed(6) : `${BigInt(n)}.000000`;
  return fixed.replace(/0+$/, "").replace(/\.+$/, "");
}

// Go's strconv.FormatFloat(f, 'g', -1, 64), also fmt's %v: how yaml.v2 and fmt.Sprint print a float64.
export function formatFloatG(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mantissa = "0", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const digits = String(Math.abs(exp)).padStart(2, "0");
    return `${mantissa}e${exp < 0 ? "-" : "+"}${digits}`;
  }
  return String(n);
}

// Go's fmt.Sprint of a decoded JSON value: what a long poll compares with its `value` parameter.
export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatFloatG(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (Array.isArray(v)) return "[" + v.map(goSprint).join(" ") + "]";
  if (typeof v === "object") {
    const keys = Object.keys(v).sort(compareGoStrings);
    const record = v as Record<string, unknown>;
    return "map[" + keys.map((k) => `${k}:${goSprint(record[k])}`).join(" ") + "]";
  }
  return String(v);
}

// Go's string order (UTF-8 bytes, i.e. code points): how Go sorts map keys when marshalling JSON.
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate && (x >= 0xe000 || y >= 0xe000)) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

// Go's strconv.Atoi: the real server parses maxWait with it (anything else is 0).
export function goAtoi(s: string | null): number {
  if (s === null || !/^[+-]?\d+$/.test(s)) return 0;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : 0;
}

// Go's url.QueryUnescape: path segments are unescaped with it ('+' is a space); throws Go's error text.
export function queryUnescape(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  const bytes: number[] = [];
  const raw = Buffer.from(s, "utf8");
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === 0x25) {
      const hex = raw.subarray(i + 1, i + 3).toString("latin1");
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        throw new Error(`invalid URL escape ${JSON.stringify(raw.subarray(i, i + 3).toString("latin1"))}`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(b === 0x2b ? 0x20 : b);
  }
  return Buffer.from(bytes).toString("utf8");
}
