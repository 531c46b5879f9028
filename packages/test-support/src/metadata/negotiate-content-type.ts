// Content negotiation as the real server does it (golang/gddo httputil.NegotiateContentType).

// The three answer formats of the real server.
export type ContentKind = "text" | "json" | "yaml";

interface AcceptSpec {
  value: string;
  q: number;
}

const OFFERS = [
  "text/plain",
  "application/json",
  "application/yaml",
  "application/x-yaml",
  "text/yaml",
  "text/x-yaml",
];
const TOKEN_OR_SLASH = /^[!#$%&'*+\-.^_`|~0-9A-Za-z/]+/;
const SPACE = /^[ \t\r\n]*/;

// Parses Accept lines like gddo's header.ParseAccept: a spec with a parameter other than q (or a bad q)
// ends the parse of its line, values are compared case-sensitively.
export function parseAccept(lines: readonly string[]): AcceptSpec[] {
  const specs: AcceptSpec[] = [];
  for (const line of lines) {
    let s = line;
    for (;;) {
      const token = TOKEN_OR_SLASH.exec(s)?.[0] ?? "";
      if (token === "") break;
      s = s.slice(token.length).replace(SPACE, "");
      let q = 1;
      if (s.startsWith(";")) {
        s = s.slice(1).replace(SPACE, "");
        if (!s.startsWith("q=")) break;
        const quality = /^([01])(?:\.([0-9]*))?/.exec(s.slice(2));
        if (quality === null) break;
        const fraction = quality[2] ?? "";
        q = Number(quality[1]) + (fraction === "" ? 0 : Number(fraction) / 10 ** fraction.length);
        s = s.slice(2 + quality[0].length);
      }
      specs.push({ value: token, q });
      s = s.replace(SPACE, "");
      if (!s.startsWith(",")) break;
      s = s.slice(1).replace(SPACE, "");
    }
  }
  return specs;
}

// What a request's Accept header lines negotiate to: JSON or YAML only when they win, text otherwise.
export function negotiateContentType(acceptLines: readonly string[]): ContentKind {
  let best = "text/plain";
  let bestQ = -1;
  let bestWild = 3;
  const specs = parseAccept(acceptLines);
  for (const offer of OFFERS) {
    for (const spec of specs) {
      if (spec.q === 0 || spec.q < bestQ) continue;
      if (spec.value === "*/*") {
        if (spec.q > bestQ || bestWild > 2) [best, bestQ, bestWild] = [offer, spec.q, 2];
      } else if (spec.value.endsWith("/*")) {
        if (offer.startsWith(spec.value.slice(0, -1)) && (spec.q > bestQ || bestWild > 1)) {
          [best, bestQ, bestWild] = [offer, spec.q, 1];
        }
      } else if (spec.value === offer && (spec.q > bestQ || bestWild > 0)) {
        [best, bestQ, bestWild] = [offer, spec.q, 0];
      }
    }
  }
  return best.includes("json") ? "json" : best.includes("yaml") ? "yaml" : "text";
}
