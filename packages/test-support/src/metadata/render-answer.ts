// Turning a lookup into the bytes the real server answers (its respondSuccess and respondError).
import type { ContentKind } from "./negotiate-content-type.js";
import { renderJson } from "./render-json.js";
import { GoPanic, renderText, UnknownTypeError } from "./render-text.js";
import { renderYaml } from "./render-yaml.js";
import type { CachedAnswer } from "./response-cache.js";
import { goError, goOk, type GoResponse } from "./send-go-response.js";

// respondError: http.Error with the message (text) or {code, message, type: "error"} (JSON/YAML).
export function errorAnswer(kind: ContentKind, status: number, message: string): GoResponse {
  if (kind === "text") return goError(status, message);
  const body = { code: status, message, type: "error" };
  return goError(status, kind === "json" ? renderJson(body, true) : renderYaml(body));
}

// respondSuccess: the value as JSON, YAML or text; "panic" where Go's text listing would panic.
export function successAnswer(value: unknown, kind: ContentKind, keysSorted: boolean): CachedAnswer {
  if (kind === "json") return goOk(renderJson(value, keysSorted));
  if (kind === "yaml") return goOk(renderYaml(value));
  try {
    return goOk(renderText(value));
  } catch (err) {
    if (err instanceof GoPanic) return "panic";
    if (err instanceof UnknownTypeError) return goError(500, err.message);
    throw err;
  }
}
