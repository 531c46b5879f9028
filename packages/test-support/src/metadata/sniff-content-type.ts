// The Content-Type Go's net/http sniffs for a handler that sets none (http.DetectContentType), for the
// signatures a metadata value can plausibly start with.

const HTML_TAGS = [
  "<!DOCTYPE HTML",
  "<HTML",
  "<HEAD",
  "<SCRIPT",
  "<IFRAME",
  "<H1",
  "<DIV",
  "<FONT",
  "<TABLE",
  "<A",
  "<STYLE",
  "<TITLE",
  "<B",
  "<BODY",
  "<BR",
  "<P",
  "<!--",
];

const EXACT_PREFIXES: Array<[string, string]> = [
  ["%PDF-", "application/pdf"],
  ["%!PS-Adobe-", "application/postscript"],
  ["\xfe\xff", "text/plain; charset=utf-16be"],
  ["\xff\xfe", "text/plain; charset=utf-16le"],
  ["\xef\xbb\xbf", "text/plain; charset=utf-8"],
  ["GIF87a", "image/gif"],
  ["GIF89a", "image/gif"],
  ["\x89PNG\r\n\x1a\n", "image/png"],
  ["\xff\xd8\xff", "image/jpeg"],
  ["BM", "image/bmp"],
  ["PK\x03\x04", "application/zip"],
  ["\x1f\x8b\x08", "application/x-gzip"],
];

// Go's "white space" and "binary data byte" sets.
const WHITE_SPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const isBinaryByte = (b: number) =>
  b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);

// http.DetectContentType over the first 512 bytes: HTML/XML tags after white space, a few magic
// numbers, then text/plain unless a binary control byte shows up.
export function sniffContentType(body: Buffer): string {
  const bytes = body.subarray(0, 512);
  const head = bytes.toString("latin1");
  let start = 0;
  while (start < bytes.length && WHITE_SPACE.has(bytes[start] as number)) start++;
  const trimmed = head.slice(start);
  const upper = trimmed.toUpperCase();
  for (const tag of HTML_TAGS) {
    const next = upper.charAt(tag.length);
    if (upper.startsWith(tag) && (next === " " || next === ">")) return "text/html; charset=utf-8";
  }
  if (trimmed.startsWith("<?xml")) return "text/xml; charset=utf-8";
  for (const [prefix, type] of EXACT_PREFIXES) if (head.startsWith(prefix)) return type;
  return bytes.some(isBinaryByte) ? "application/octet-stream" : "text/plain; charset=utf-8";
}
