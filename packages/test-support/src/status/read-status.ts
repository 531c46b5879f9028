// GET one path of a status listener (generate-maps', the reloader's) on loopback, whole body read.

// What came back.
export interface StatusAnswer {
  status: number;
  contentType: string;
  body: string;
}

// GET `${baseUrl}${path}` with a generous timeout; rejects only when the listener does not answer.
export async function readStatus(baseUrl: string, path: string, timeoutMs = 10_000): Promise<StatusAnswer> {
  const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}

// GET and parse a JSON answer (any status).
export async function readStatusJson<T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
): Promise<{ status: number; json: T }> {
  const answer = await readStatus(baseUrl, path);
  return { status: answer.status, json: JSON.parse(answer.body) as T };
}
