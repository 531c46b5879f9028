// Splitting and cleaning the request target the way Go's net/http and gorilla/mux do.

// A request target split like Go's url.URL: escaped path, decoded path, raw query.
export interface RequestTarget {
  rawPath: string;
  path: string;
  rawQuery: string;
}

// Parses an origin-form (or absolute-form) request target; null where Go answers 400 Bad Request
// (an invalid %-escape in the path).
export function parseRequestTarget(url: string): RequestTarget | null {
  let target = url;
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (absolute !== null) target = target.slice(absolute[0].length) || "/";
  const q = target.indexOf("?");
  const rawPath = q === -1 ? target : target.slice(0, q);
  const rawQuery = q === -1 ? "" : target.slice(q + 1);
  if (/%(?![0-9a-fA-F]{2})/.test(rawPath)) return null;
  let path = rawPath;
  if (rawPath.includes("%")) {
    const bytes = rawPath.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
    path = Buffer.from(bytes, "latin1").toString("utf8");
  }
  return { rawPath, path, rawQuery };
}

// gorilla/mux's cleanPath: path.Clean, keeping a trailing slash. A path it changes gets a 301 to the clean one.
export function cleanPath(p: string): string {
  if (p === "") return "/";
  const rooted = p.startsWith("/") ? p : "/" + p;
  const stack: string[] = [];
  for (const part of rooted.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") stack.pop();
    else stack.push(part);
  }
  const clean = "/" + stack.join("/");
  return rooted.endsWith("/") && clean !== "/" ? clean + "/" : clean;
}

// The first value of a query parameter, decoded like Go's url.Values.Get; null when absent.
export function queryParam(rawQuery: string, name: string): string | null {
  if (rawQuery === "") return null;
  for (const pair of rawQuery.split("&")) {
    const eq = pair.indexOf("=");
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (safeDecode(key) !== name) continue;
    return safeDecode(eq === -1 ? "" : pair.slice(eq + 1));
  }
  return null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}
