// The compressed payload of a Claim 169 QR: zlib (RFC 1950), recognised by
// its header as credentials/src/credential.cc does, inflated with the
// platform's DecompressionStream under a cap on the output, so a
// decompression bomb stops at `maxOutput` bytes. As the C++ reader, bytes
// after the end of the zlib stream are refused (Chromium's stream refuses
// them itself; Node's ignores them, so a second pass without the last byte
// tells: if that still inflates, the stream ended before it).
//
// Anything else is read as Brotli (Claim 169 1.2.2 lets issuers use it), as
// credentials' BrotliDecompress does: brotli-dec-wasm (the Rust
// brotli-decompressor in WebAssembly, 200 KB), streamed with an output cap,
// a truncated stream and bytes after its end refused. Its .wasm is loaded on
// the first Brotli payload: beside the app by default (the phone verifier
// serves it from its own folder), or from `setBrotliWasm` (Node's tests
// pass the bytes).
import initBrotli, { BrotliDecStream, BrotliStreamResultCode, type InitInput } from 'brotli-dec-wasm/web';

export class DecompressError extends Error {}

let brotliSource: InitInput | undefined;
let brotliReady: Promise<unknown> | null = null;

/** Where the Brotli decoder's WebAssembly comes from: a URL or its bytes. */
export function setBrotliWasm(source: InitInput): void {
  brotliSource = source;
  brotliReady = null;
}

/** The Brotli stream's content; throws DecompressError("Decompress: ...") as the C++ does. */
export async function inflateBrotli(data: Uint8Array, maxOutput: number): Promise<Uint8Array> {
  brotliReady ??= initBrotli(brotliSource === undefined ? undefined : { module_or_path: brotliSource });
  try {
    await brotliReady;
  } catch (e) {
    brotliReady = null;
    throw new Error(`the Brotli decoder could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  const stream = new BrotliDecStream();
  try {
    let r;
    try {
      r = stream.dec(data, maxOutput + 1);
    } catch {
      throw new DecompressError('Decompress: not valid Brotli data');
    }
    try {
      if (r.code === BrotliStreamResultCode.NeedsMoreOutput || r.buf.length > maxOutput) {
        throw new DecompressError(`Decompress: inflated payload exceeds ${maxOutput} bytes`);
      }
      if (r.code === BrotliStreamResultCode.NeedsMoreInput) throw new DecompressError('Decompress: truncated Brotli data');
      if (r.input_offset < data.length) throw new DecompressError('Decompress: trailing bytes after Brotli data');
      return r.buf;
    } finally {
      r.free();
    }
  } finally {
    stream.free();
  }
}

/** credentials' LooksLikeZlib: CM 8, CINFO <= 7, header checksum. */
export function looksLikeZlib(data: Uint8Array): boolean {
  if (data.length < 2) return false;
  const cmf = data[0]!;
  const flg = data[1]!;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0;
}

type Outcome = { ok: true; bytes: Uint8Array } | { ok: false; tooLarge: boolean };

async function inflateOnce(data: Uint8Array, maxOutput: number): Promise<Outcome> {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  // Errors surface on the readable side; these promises only must not go unhandled.
  writer.write(data as BufferSource).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxOutput) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, tooLarge: true };
      }
      parts.push(value);
    }
  } catch {
    return { ok: false, tooLarge: false };
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { ok: true, bytes: out };
}

/** The inflated zlib stream; throws DecompressError("Decompress: ..."). */
export async function inflateZlib(data: Uint8Array, maxOutput: number): Promise<Uint8Array> {
  const full = await inflateOnce(data, maxOutput);
  if (!full.ok) {
    if (full.tooLarge) throw new DecompressError(`Decompress: inflated payload exceeds ${maxOutput} bytes`);
    throw new DecompressError('Decompress: not valid zlib data (corrupt, truncated or followed by other bytes)');
  }
  if (data.length > 2 && (await inflateOnce(data.subarray(0, data.length - 1), maxOutput)).ok) {
    throw new DecompressError('Decompress: trailing bytes after zlib data');
  }
  return full.bytes;
}
