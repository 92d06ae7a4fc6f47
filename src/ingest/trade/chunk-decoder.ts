/**
 * Decoding of a chunk of a trade file whose encoding the reader has decided (trade-file-reader.ts,
 * fileChunks). Kept apart so the parallel reader's workers load only this and the Comtrade parser.
 */
import { isAscii } from 'node:buffer';
import iconv from 'iconv-lite';

export type ByteEncoding = 'utf-8' | 'windows-1252';

/**
 * Text of a chunk. Plain ASCII (nearly every Comtrade extract) takes Node's ASCII decoder, several
 * times faster than the UTF-8 one for the same result.
 */
export function decodeChunk(bytes: Buffer, encoding: ByteEncoding): string {
  if (isAscii(bytes)) return bytes.toString('ascii');
  return encoding === 'utf-8' ? decodeUtf8(bytes) : iconv.decode(bytes, 'win1252');
}

const BLOCK = 4096;

/**
 * UTF-8 text of `bytes`, the same as `bytes.toString('utf8')`, faster for text that is mostly
 * ASCII: V8's UTF-8 decoder leaves its fast path at the first non-ASCII byte (one "Côte d'Ivoire"
 * early in a chunk slows the whole chunk down), so runs of ASCII blocks go to the ASCII decoder
 * and only the blocks with other characters to the UTF-8 one. Blocks start on a character.
 */
function decodeUtf8(bytes: Buffer): string {
  const n = bytes.length;
  let text = '';
  let runStart = 0;
  let runAscii = true;
  for (let b = 0; b < n; ) {
    let e = Math.min(n, b + BLOCK);
    while (e < n && ((bytes[e] ?? 0) & 0xc0) === 0x80) e++;
    const ascii = isAscii(bytes.subarray(b, e));
    if (ascii !== runAscii && b > runStart) {
      text += bytes.toString(runAscii ? 'latin1' : 'utf8', runStart, b);
      runStart = b;
    }
    runAscii = ascii;
    b = e;
  }
  return text + bytes.toString(runAscii ? 'latin1' : 'utf8', runStart, n);
}
