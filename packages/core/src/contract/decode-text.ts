// Bytes from the shared volume as text: UTF-8 without NUL bytes, or why not. Never throws.
// ignoreBOM: a leading byte order mark stays in the text, so it is refused as the same text given as a
// string is (decoding it away made the reloader, which reads bytes, accept what the generator refused).
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// The text of `bytes`, or the reason it is no text file (a NUL byte, invalid UTF-8).
export function decodeText(bytes: Uint8Array): string | { reason: string } {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { reason: `contains a NUL byte (at byte ${nul})` };
  try {
    return UTF8.decode(bytes);
  } catch {
    return { reason: "is not valid UTF-8" };
  }
}
