// Base45 (RFC 9285), strict as credentials/src/base45.cc: only the 45
// characters, no dangling character, no triplet above 65535 or pair above 255.
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export class Base45Error extends Error {}

export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Base45Error('base45: length leaves a dangling character');
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.length - i >= 3 ? 3 : 2;
    let n = 0;
    let scale = 1;
    for (let k = 0; k < chunk; k++) {
      const v = ALPHABET.indexOf(text[i + k]!);
      if (v < 0) throw new Base45Error(`base45: invalid character at offset ${i + k}`);
      n += v * scale;
      scale *= 45;
    }
    if (chunk === 3) {
      if (n > 0xffff) throw new Base45Error('base45: triplet value out of range');
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      if (n > 0xff) throw new Base45Error('base45: pair value out of range');
      out[o++] = n;
    }
  }
  return out;
}
