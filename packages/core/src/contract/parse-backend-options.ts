// The reading side of the option lines of a backend block: each line must be one of the renderer's
// forms, and all of them together exactly what renderBackendOptionLines gives for what they mean.
import {
  isPathPrefix,
  isCheckPath,
  MAX_HSTS_SECONDS,
  parseBoundedInteger,
  parseDuration,
} from "./option-rules.js";
import { HTTPS_LOCATION, renderBackendOptionLines, stripPathPattern } from "./render-backend-options.js";
import { BALANCE_ALGORITHMS, type BackendOptions, type BalanceAlgorithm } from "./shared-table.js";

// One option line as read: its words joined by one space, and how to report a problem on it.
export interface OptionLine {
  text: string;
  problem: (reason: string) => void;
}

type Form = [RegExp, (match: RegExpExecArray, options: BackendOptions) => boolean];

const FORMS: readonly Form[] = [
  [/^balance (\S+)$/, (m, o) => isBalance(m[1]) && ((o.balance = m[1]), true)],
  [/^cookie rh_sticky insert indirect nocache$/, (_m, o) => (o.sticky = true)],
  [/^option httpchk GET (\S+)$/, (m, o) => isCheckPath(m[1] ?? "") && ((o.check = m[1]), true)],
  [/^timeout server (\S+)$/, (m, o) => duration(m[1]) && ((o.timeoutServer = m[1]), true)],
  [/^timeout tunnel (\S+)$/, (m, o) => duration(m[1]) && ((o.timeoutTunnel = m[1]), true)],
  [
    new RegExp(
      `^http-request redirect location ${escapeRegExp(HTTPS_LOCATION)} code 30[18] if !\\{ ssl_fc \\}( METH_GET)?$`,
    ),
    (_m, o) => !!(o.https = "redirect"),
  ],
  [/^http-request deny deny_status 403 if !\{ ssl_fc \}$/, (_m, o) => !!(o.https = "only")],
  [
    /^http-request replace-path \^(\S+)\(\?:\/\(\.\*\)\)\?\$ \/\\1$/,
    (m, o) => {
      const prefix = (m[1] ?? "").replaceAll("[.]", ".");
      return isPathPrefix(prefix) && stripPathPattern(prefix) === m[1] && ((o.stripPath = prefix), true);
    },
  ],
  [
    /^http-after-response set-header Strict-Transport-Security max-age=(\S+) if \{ ssl_fc \}$/,
    (m, o) => {
      const seconds = parseBoundedInteger(m[1] ?? "", 0, MAX_HSTS_SECONDS);
      return seconds !== undefined && ((o.hsts = seconds), true);
    },
  ],
];

// The options the lines mean, or undefined once a problem is reported (a line of no known form, a bad
// value, or lines out of the renderer's order, repeated or missing their pair).
export function parseBackendOptions(read: readonly OptionLine[]): BackendOptions | undefined {
  const options: BackendOptions = {};
  const lines = read.map((line) => ({ ...line, text: upgradeOldLine(line.text) }));
  for (const [index, { text, problem }] of lines.entries()) {
    const known = FORMS.some(([form, read]) => {
      const match = form.exec(text);
      return match !== null && read(match, options);
    });
    if (!known) {
      problem("not one of the backend option lines the generator writes (or a value out of its rules)");
      return undefined;
    }
    // the lines so far must begin what the renderer writes for them: at most ~10 lines, so bounded work
    const wanted = renderBackendOptionLines(options);
    if (!lines.slice(0, index + 1).every((line, at) => line.text === wanted[at])) {
      problem(ORDER);
      return undefined;
    }
  }
  if (renderBackendOptionLines(options).length === lines.length) return options;
  lines[lines.length - 1]?.problem(ORDER);
  return undefined;
}

const ORDER =
  "backend option lines must be the generator's, once each, in its order (redirect lines in pairs)";

// A generator from before 2026-12-04 wrote its redirects as `redirect scheme https` (which kept a port
// named in Host); read as the same option, so a reloader upgraded first still routes that file.
const OLD_REDIRECT = /^http-request redirect scheme https code (30[18]) if !\{ ssl_fc \}( METH_GET)?$/;

// A generator from before 2026-12-04 wrote HSTS as an `http-response` rule (server answers only, so
// HAProxy's own 503 had none); read as the same option, served as `http-after-response`.
const OLD_HSTS = /^http-response (set-header Strict-Transport-Security .*)$/;

// The line as the renderer writes it today when it is one of an older generator's forms; else as is.
function upgradeOldLine(text: string): string {
  const redirect = OLD_REDIRECT.exec(text);
  if (redirect !== null)
    return `http-request redirect location ${HTTPS_LOCATION} code ${redirect[1] ?? ""} if !{ ssl_fc }${redirect[2] ?? ""}`;
  const hsts = OLD_HSTS.exec(text);
  return hsts === null ? text : `http-after-response ${hsts[1] ?? ""}`;
}

function isBalance(value: string | undefined): value is BalanceAlgorithm {
  return (BALANCE_ALGORITHMS as readonly (string | undefined)[]).includes(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function duration(value: string | undefined): boolean {
  return parseDuration(value ?? "") !== undefined;
}
