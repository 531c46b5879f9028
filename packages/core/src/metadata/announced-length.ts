// A 200 answer whose body came shorter than its Content-Length announced, though it ended cleanly: Node's
// HTTP parser fails on bytes past the announced body (a Content-Length shorter than what the server sent)
// and node-fetch, already resolved, drops the body it had not handed on yet. The answer then read as
// "0 bytes: empty body"; this names the counts instead.

// The headers the check reads (node-fetch's Headers).
export interface HeaderLookup {
  get(name: string): string | null;
}

// Why a body of `read` bytes is not the answer announced, or null when it is (or cannot be told: no
// Content-Length, or one of an encoded body, whose decoded size it does not give).
export function announcedLengthProblem(headers: HeaderLookup, read: number): string | null {
  const announced = headers.get("content-length");
  const encoding = headers.get("content-encoding");
  if (announced === null || !/^\d+$/.test(announced)) return null;
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return null;
  if (Number(announced) === read) return null;
  return (
    `${read} of the ${announced} bytes its Content-Length announced were read: the connection failed ` +
    `after the headers (e.g. on bytes past the announced body)`
  );
}
