// Bytes as a Buffer without copying them, shared by the readers that take any Uint8Array (the metadata
// client's chunks and answers, the shared files the reloader parses) and use Buffer's decoders and
// compares.

// The same bytes as a Buffer (the object itself when it is one, else a view of its memory).
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
