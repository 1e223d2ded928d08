/**
 * The container every trained Earshot model is stored in: a 4-byte magic, the length of a JSON
 * header, the header, then int8 weights, all gzipped at level 9 so the same model always gives
 * the same bytes (the committed files are rebuilt by their scripts and compared byte for byte).
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** Packs a header and quantised weights under `magic` (four latin-1 characters). */
export function encodeModelFile(magic: string, header: object, weights: Int8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(8);
  head.write(magic, 0, 'latin1');
  head.writeUInt32LE(json.length, 4);
  return gzipSync(Buffer.concat([head, json, Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength)]), {
    level: 9,
  });
}

/**
 * Unpacks a model file written by `encodeModelFile`; `what` names the model in the error when
 * the file is something else. The caller checks the header's own fields (format, classes).
 */
export function decodeModelFile<Header>(
  file: Uint8Array,
  magic: string,
  what: string,
): { readonly header: Header; readonly weights: (count: number) => Int8Array } {
  const raw = gunzipSync(file);
  if (raw.toString('latin1', 0, 4) !== magic) throw new Error(`not an Earshot ${what} file`);
  const headerLength = raw.readUInt32LE(4);
  const header = JSON.parse(raw.toString('utf8', 8, 8 + headerLength)) as Header;
  return { header, weights: (count) => new Int8Array(raw.buffer, raw.byteOffset + 8 + headerLength, count) };
}
