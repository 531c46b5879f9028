// Scalars and key order as gopkg.in/yaml.v2 writes them (close enough for tests; no line folding).
import { formatFloatG } from "./go-format.js";

const RESOLVES_TO_NON_STRING =
  /^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|<<|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const LOOKS_NUMERIC =
  /^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*|(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)$/;
const NON_PRINTABLE = /[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\ud800-\udfff]/;
const PLAIN_UNSAFE = /^[-?:](\s|$)|^[,[\]{}#&*!|>'"%@`]|^(---|\.\.\.)|: |:$| #|^\s|\s$/;

// The YAML text of a scalar (null, bool, number or one-line string), quoted when yaml.v2 would.
export function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return ".nan";
    if (!Number.isFinite(value)) return value > 0 ? ".inf" : "-.inf";
    return formatFloatG(value);
  }
  const s = String(value);
  if (s === "" || RESOLVES_TO_NON_STRING.test(s) || LOOKS_NUMERIC.test(s) || NON_PRINTABLE.test(s)) {
    return doubleQuoted(s);
  }
  if (PLAIN_UNSAFE.test(s)) return "'" + s.replace(/'/g, "''") + "'";
  return s;
}

// True when yaml.v2 writes the string as a literal block (`|`): it spans lines and is printable.
export function isLiteralBlock(value: unknown): value is string {
  return typeof value === "string" && value.includes("\n") && !NON_PRINTABLE.test(value);
}

function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\ufeff]/g, (c) => {
    return "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");
  });
}

// yaml.v2's map key order: letters before other characters, runs of digits compared as numbers.
export function compareYamlKeys(a: string, b: string): number {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const xl = /\p{L}/u.test(x);
    const yl = /\p{L}/u.test(y);
    if (xl && yl) return x < y ? -1 : 1;
    if (xl || yl) return yl ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (x === "0" || y === "0") {
      for (let j = i - 1; j >= 0 && /\p{Nd}/u.test(ar[j] as string); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && /[0-9]/.test(ar[ai] as string); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && /[0-9]/.test(br[bi] as string); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an - bn;
    if (ai !== bi) return ai - bi;
    return x < y ? -1 : 1;
  }
  return ar.length - br.length;
}
