// A strict CBOR reader for untrusted bytes, with the limits of the C++ reader
// (credentials/src/cbor.cc): exactly one item and nothing after it, definite
// lengths only, nesting at most `maxDepth`, at most `maxItems` array elements
// and map entries in all, integer or text map keys, no duplicate keys,
// integers within int64. cborg's tokenizer reads the bytes (heads, lengths,
// floats, UTF-8); this file builds the tree and enforces the rules, so a
// deeply nested or oversized input is refused before it is built.
//
// Values keep their CBOR type: an integer is never confused with a float of
// the same value, a text key never with an integer key.
import { Tokenizer, Type, encode } from 'cborg';
import type { Token } from 'cborg';
import { hex } from './bytes.js';

export type Cbor =
  | { t: 'int'; v: bigint }
  | { t: 'bytes'; v: Uint8Array }
  | { t: 'text'; v: string }
  | { t: 'array'; v: Cbor[] }
  | { t: 'map'; v: [Cbor, Cbor][] }
  | { t: 'tag'; tag: bigint; v: Cbor }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'undefined' }
  | { t: 'float'; v: number };

export interface CborLimits {
  maxDepth: number;
  maxItems: number;
}
export const DEFAULT_LIMITS: CborLimits = { maxDepth: 16, maxItems: 4096 };

/** Thrown for anything that is not one well-formed item within the limits. */
export class CborError extends Error {
  constructor(what: string) {
    super(`cbor: ${what}`);
  }
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

class Reader {
  private items = 0;
  // The raw bytes of the last text item read: map keys are compared by their
  // bytes, so invalid UTF-8 never makes two different keys equal.
  private lastText: Uint8Array = new Uint8Array();
  private readonly tokens: Tokenizer;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: CborLimits,
  ) {
    this.tokens = new Tokenizer(bytes, {
      allowIndefinite: false,
      allowUndefined: true,
      allowBigInt: true,
      retainStringBytes: true,
    });
  }

  readAll(): Cbor {
    const item = this.read(1);
    if (!this.tokens.done()) throw new CborError('trailing bytes after the item');
    return item;
  }

  private next(): Token {
    if (this.tokens.done()) throw new CborError('truncated input');
    try {
      return this.tokens.next();
    } catch (e) {
      throw new CborError(`malformed input (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  // `depth`: 1 + the number of containers and tags around this item, as the
  // C++ checker counts its stack.
  private read(depth: number): Cbor {
    const token = this.next();
    const type = token.type;
    if (Type.equals(type, Type.uint) || Type.equals(type, Type.negint)) {
      const v = BigInt(token.value as number | bigint);
      if (v < INT64_MIN || v > INT64_MAX) throw new CborError('integer out of range');
      return { t: 'int', v };
    }
    if (Type.equals(type, Type.bytes)) return { t: 'bytes', v: (token.value as Uint8Array).slice() };
    if (Type.equals(type, Type.string)) {
      this.lastText = token.byteValue ?? new Uint8Array();
      return { t: 'text', v: token.value as string };
    }
    if (Type.equals(type, Type.false) || Type.equals(type, Type.true)) {
      return { t: 'bool', v: token.value as boolean };
    }
    if (Type.equals(type, Type.null)) return { t: 'null' };
    if (Type.equals(type, Type.undefined)) return { t: 'undefined' };
    if (Type.equals(type, Type.float)) return { t: 'float', v: token.value as number };
    if (Type.equals(type, Type.break)) throw new CborError('indefinite-length items are not accepted');
    if (depth >= this.limits.maxDepth) throw new CborError('nesting too deep');
    if (Type.equals(type, Type.tag)) {
      return { t: 'tag', tag: BigInt(token.value as number | bigint), v: this.read(depth + 1) };
    }
    const count = token.value as number;
    if (!Number.isSafeInteger(count) || count > this.bytes.length) {
      throw new CborError('container larger than the input');
    }
    this.items += count;
    if (this.items > this.limits.maxItems) throw new CborError('too many items');
    if (Type.equals(type, Type.array)) {
      const out: Cbor[] = [];
      for (let i = 0; i < count; i++) out.push(this.read(depth + 1));
      return { t: 'array', v: out };
    }
    // A map: keys are compared by their encoded identity (text by its bytes).
    const seen = new Set<string>();
    const out: [Cbor, Cbor][] = [];
    for (let i = 0; i < count; i++) {
      const key = this.read(depth + 1);
      let identity: string;
      if (key.t === 'int') identity = `i${key.v}`;
      else if (key.t === 'text') identity = `t${hex(this.lastText)}`;
      else throw new CborError('map key must be an integer or text');
      if (seen.has(identity)) throw new CborError('duplicate map key');
      seen.add(identity);
      out.push([key, this.read(depth + 1)]);
    }
    return { t: 'map', v: out };
  }
}

/** One strict item; throws CborError. */
export function decodeCbor(bytes: Uint8Array, limits: CborLimits = DEFAULT_LIMITS): Cbor {
  if (bytes.length === 0) throw new CborError('empty input');
  return new Reader(bytes, limits).readAll();
}

/** The value under integer key `key` of a map; undefined when absent or not a map. */
export function find(map: Cbor | undefined, key: number): Cbor | undefined {
  if (map?.t !== 'map') return undefined;
  const k = BigInt(key);
  for (const [mk, v] of map.v) if (mk.t === 'int' && mk.v === k) return v;
  return undefined;
}

/** Deterministic encoding of [text, bytes...] arrays: COSE's Sig_structure. */
export function encodeSigStructure(context: string, ...bytes: Uint8Array[]): Uint8Array {
  return encode([context, ...bytes]);
}
