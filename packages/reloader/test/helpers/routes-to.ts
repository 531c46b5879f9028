// A probe for waitFor: does HAProxy at `url` answer 200 with `name` (the backend's body) for `host`?
import { httpRequest } from "../../../test-support/src/http/index.ts";

export function routesTo(url: string, host: string, name: string, timeoutMs = 1000): () => Promise<boolean> {
  return async () => {
    const answer = await httpRequest({ url, host, timeoutMs });
    return answer.status === 200 && answer.body === name;
  };
}
