/**
 * The first stage of a partitioned vector search (vectorIndex.ts): one bit per dimension of each int8 row of the
 * partition (1 where the value is above 0), scanned with popcounts to pick the candidates that the int8 scan then
 * scores exactly. The int8 scan of the probed lists is bound by memory (128 of 1,024 lists at 1M x 512 is 64 MB read
 * per query, BENCHMARKS.md); the codes are an eighth of that. A row's code score is minus its Hamming distance to
 * the query's code.
 *
 * One bit beat two (ternary codes, +1 / 0 / −1 with a threshold, twice the bytes) at 1M: 0.975 against 0.960 of the
 * exact int8 scan's top 10 from 2,000 candidates of 128 probes (BENCHMARKS.md).
 *
 * Layout: 16 bytes per 128 dimensions, so a row of 512 dimensions takes 64 bytes. The codes derive from the int8
 * rows; they are computed when the partition is built or restored, not stored.
 */

import { ADD, get, i32, PAGE, section, set, SIMD, storeLaneSumThenNextRow, tee, uleb, wasm, WASM_HEADER, wasmName, type WasmMemory } from './wasmAssembly';

/** Bytes of code per 128 dimensions. */
const BLOCK_BYTES = 16;
/** Room for the query's code at the start of memory. */
const QUERY_CODE_BYTES = 16384;

/**
 * Hand-assembled WebAssembly (SIMD), as int8Kernel.ts (the project ships no WebAssembly toolchain):
 * - scan(query, base, rows, blocks, out): out[r] = minus the Hamming distance of row r's code to the query's (int32);
 * - encode(src, dst, rows, lanes, stride, rowBytes): the codes of `rows` int8 rows of `lanes` × 16 bytes, `stride`
 *   bytes apart, written `rowBytes` apart from `dst` (16 dimensions per step: compare with 0, then bitmask).
 */
function wasmModuleBytes(): Uint8Array {
  const load = (offset: number): number[] => [SIMD, 0x00, 0x04, offset]; // v128.load align=16
  const xor = [SIMD, 0x51];
  const popcnt = [SIMD, 0x62]; // i8x16.popcnt
  const widen = [SIMD, 0x7d]; // i16x8.extadd_pairwise_i8x16_u
  const sub16 = [SIMD, 0x91, 0x01]; // i16x8.sub
  const widen32 = [SIMD, 0x7e]; // i32x4.extadd_pairwise_i16x8_s
  // params: 0 query, 1 base, 2 rows, 3 blocks, 4 out; locals: 5 i, 6 j, 7 p, 8 qp (i32); 9 acc (v128)
  const [Q, BASE, ROWS, BLOCKS, OUT, I, J, P, QP, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const body = [
    0x02, 0x04, 0x7f, 0x01, 0x7b, // locals: 4 × i32, 1 × v128
    ...get(BASE), ...set(P),
    0x02, 0x40, // block $done
    0x03, 0x40, // loop $rows
    ...get(I), ...get(ROWS), 0x4f, 0x0d, 0x01, // if i >= rows: br $done
    SIMD, 0x0c, ...new Array<number>(16).fill(0), ...set(ACC), // acc = 0 (i16 × 8)
    ...i32(0), ...set(J),
    ...get(Q), ...set(QP),
    0x03, 0x40, // loop $blocks
    ...get(ACC),
    ...get(QP), ...load(0), ...get(P), ...load(0), ...xor, ...popcnt, ...widen, ...sub16,
    ...set(ACC),
    ...get(P), ...i32(BLOCK_BYTES), ADD, ...set(P),
    ...get(QP), ...i32(BLOCK_BYTES), ADD, ...set(QP),
    ...get(J), ...i32(1), ADD, ...tee(J), ...get(BLOCKS), 0x49, 0x0d, 0x00, // if ++j < blocks: br $blocks
    0x0b, // end $blocks
    ...get(ACC), ...widen32, ...set(ACC),
    ...storeLaneSumThenNextRow(OUT, I, ACC),
  ];
  // encode: params 0 src, 1 dst, 2 rows, 3 lanes, 4 stride, 5 rowBytes; locals 6 r, 7 g, 8 sp (i32); 9 zero (v128)
  const [SRC, DST, NROWS, LANES, STRIDE, ROWBYTES, R, G, SP, ZERO] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const bitmask = [SIMD, 0x64]; // i8x16.bitmask
  const gt = [SIMD, 0x27]; // i8x16.gt_s
  const store16 = [0x3b, 0x01, 0x00]; // i32.store16 align=2
  const encode = [
    0x02, 0x03, 0x7f, 0x01, 0x7b, // locals: 3 × i32, 1 × v128 (0)
    0x02, 0x40, // block $done
    0x03, 0x40, // loop $rows
    ...get(R), ...get(NROWS), 0x4f, 0x0d, 0x01, // if r >= rows: br $done
    ...i32(0), ...set(G),
    ...get(SRC), ...set(SP),
    0x03, 0x40, // loop $lanes
    // the 16 bits of these 16 dimensions, at dst + g * 2
    ...get(DST), ...get(G), ...i32(1), 0x74, ADD,
    ...get(SP), ...load(0), ...get(ZERO), ...gt, ...bitmask, ...store16,
    ...get(SP), ...i32(16), ADD, ...set(SP),
    ...get(G), ...i32(1), ADD, ...tee(G), ...get(LANES), 0x49, 0x0d, 0x00, // if ++g < lanes: br $lanes
    0x0b, // end $lanes
    ...get(SRC), ...get(STRIDE), ADD, ...set(SRC),
    ...get(DST), ...get(ROWBYTES), ADD, ...set(DST),
    ...get(R), ...i32(1), ADD, ...set(R),
    0x0c, 0x00, // br $rows
    0x0b, // end $rows
    0x0b, // end $done
    0x0b, // end function
  ];
  return Uint8Array.from([
    ...WASM_HEADER,
    // types: (i32 ×5) → (), (i32 ×6) → ()
    ...section(1, [0x02, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 0x06, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
    ...section(3, [0x02, 0x00, 0x01]),
    ...section(5, [0x01, 0x00, 0x01]), // one memory, min 1 page, no maximum
    ...section(7, [0x03, ...wasmName('memory'), 0x02, 0x00, ...wasmName('scan'), 0x00, 0x00, ...wasmName('encode'), 0x00, 0x01]),
    ...section(10, [0x02, ...uleb(body.length), ...body, ...uleb(encode.length), ...encode]),
  ]);
}

type ScanFn = (query: number, base: number, rows: number, blocks: number, out: number) => void;
type EncodeFn = (src: number, dst: number, rows: number, lanes: number, stride: number, rowBytes: number) => void;
/** Rows copied into the code memory at a time to be encoded there. */
const ENCODE_CHUNK = 4096;

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/** The sign codes of the rows of a partition, and their scan. */
export class SignCodes {
  readonly kind: 'simd' | 'js';
  private readonly blocks: number;
  private readonly rowBytes: number;
  private memory: WasmMemory | null = null;
  private jsBuffer: ArrayBuffer | null = null;
  private readonly fn: ScanFn;
  private readonly encodeFn: EncodeFn | null = null;
  private rows = 0;
  private width = 0;

  /** `prefer: 'js'` forces the JS scan (tests compare the two). */
  constructor(
    readonly dimensions: number,
    prefer: 'auto' | 'js' = 'auto',
  ) {
    this.blocks = Math.ceil(dimensions / 128);
    this.rowBytes = this.blocks * BLOCK_BYTES;
    // A lane of the i16 accumulator sums up to 16 per block.
    if (this.rowBytes > QUERY_CODE_BYTES || this.blocks * 16 > 32767) throw new Error(`Vectors of ${dimensions} dimensions are too large for sign codes.`);
    const bytes = wasmModuleBytes();
    if (prefer === 'auto' && wasm && wasm.validate(bytes)) {
      const exports = new wasm.Instance(new wasm.Module(bytes)).exports as { memory: WasmMemory; scan: ScanFn; encode: EncodeFn };
      this.memory = exports.memory;
      this.fn = exports.scan;
      this.encodeFn = exports.encode;
      this.kind = 'simd';
    } else {
      this.jsBuffer = new ArrayBuffer(PAGE);
      this.fn = (query, base, rows, blocks, out) => this.jsScan(query, base, rows, blocks, out);
      this.kind = 'js';
    }
  }

  /** Bytes held (codes and scan output). */
  get bytes(): number {
    return this.rows * (this.rowBytes + 4);
  }

  private buffer(): ArrayBuffer {
    return this.memory ? this.memory.buffer : (this.jsBuffer as ArrayBuffer);
  }

  private grow(size: number): void {
    const have = this.buffer().byteLength;
    if (size <= have) return;
    if (this.memory) this.memory.grow(Math.ceil((size - have) / PAGE));
    else {
      const next = new ArrayBuffer(size);
      new Uint8Array(next).set(new Uint8Array(this.jsBuffer as ArrayBuffer));
      this.jsBuffer = next;
    }
  }

  private get outOffset(): number {
    return QUERY_CODE_BYTES + this.rows * this.rowBytes;
  }

  /**
   * Writes the codes of `rows` int8 rows of `width` bytes (from byte `base` of `source`) from byte `target` of the
   * code memory. The SIMD path copies them in, in chunks, behind the output; 0.5 s at 1M x 512 in JS.
   */
  private encodeRows(source: Int8Array, base: number, width: number, rows: number, target: number): void {
    const encode = this.encodeFn;
    if (!encode) {
      const memory = new Uint8Array(this.buffer());
      for (let r = 0; r < rows; r++) this.encode(source, base + r * width, memory, target + r * this.rowBytes);
      return;
    }
    const staging = this.outOffset + this.rows * 4;
    const chunk = Math.min(rows, ENCODE_CHUNK);
    this.grow(staging + chunk * width);
    const lanes = width / 16;
    // Bytes past the last lane of a row (dimensions padded to 128) are not written by encode; they must read as 0.
    if (lanes % 8 !== 0) new Uint8Array(this.buffer()).fill(0, target, target + rows * this.rowBytes);
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      new Uint8Array(this.buffer()).set(new Uint8Array(source.buffer, source.byteOffset + base + r * width, n * width), staging);
      encode(staging, target + r * this.rowBytes, n, lanes, width, this.rowBytes);
    }
  }

  /** Writes the code of one int8 vector (`dimensions` values from `at` in `source`) at byte `target` of memory. */
  private encode(source: Int8Array, at: number, memory: Uint8Array, target: number): void {
    memory.fill(0, target, target + this.rowBytes);
    for (let k = 0; k < this.dimensions; k++) {
      if ((source[at + k] as number) > 0) memory[target + (k >> 3)] = (memory[target + (k >> 3)] as number) | (1 << (k & 7));
    }
  }

  /** Computes the codes of `rows` int8 rows of `width` bytes each, starting at byte `base` of `source`. */
  build(source: Int8Array, base: number, width: number, rows: number): void {
    if (width % 16 !== 0 || width < this.dimensions) throw new Error(`Rows of ${width} bytes do not hold ${this.dimensions} dimensions in 16-byte lanes.`);
    this.rows = rows;
    this.width = width;
    this.grow(this.outOffset + rows * 4);
    this.encodeRows(source, base, width, rows, QUERY_CODE_BYTES);
  }

  /**
   * The best `count` rows (by code score) of the slot ranges, among rows whose status code is marked in `wanted`;
   * `query` is the int8 query (`dimensions` values from `at`). Ranges must lie within the rows built.
   */
  candidates(
    query: Int8Array,
    at: number,
    ranges: readonly (readonly [number, number])[],
    statusOf: Uint8Array,
    wanted: Uint8Array,
    count: number,
  ): number[] {
    this.encodeRows(query, at, this.width, 1, 0);
    const out = this.outOffset;
    for (const [start, end] of ranges) this.fn(0, QUERY_CODE_BYTES + start * this.rowBytes, end - start, this.blocks, out + start * 4);
    const scores = new Int32Array(this.buffer(), out, this.rows);
    // Scores are whole numbers in [−dimensions, dimensions]: a histogram finds the cut without sorting.
    const offset = this.blocks * 128;
    const histogram = new Int32Array(2 * offset + 1);
    for (const [start, end] of ranges) {
      for (let slot = start; slot < end; slot++) {
        if (!wanted[statusOf[slot] as number]) continue;
        const s = (scores[slot] as number) + offset;
        histogram[s] = (histogram[s] as number) + 1;
      }
    }
    let cut = histogram.length - 1;
    for (let above = 0; cut > 0; cut--) {
      above += histogram[cut] as number;
      if (above >= count) break;
    }
    // Rows above the cut all go in; rows at the cut until `count` are reached (ties in scan order).
    let atCut = count;
    for (let s = cut + 1; s < histogram.length; s++) atCut -= histogram[s] as number;
    const picked: number[] = [];
    for (const [start, end] of ranges) {
      for (let slot = start; slot < end; slot++) {
        if (!wanted[statusOf[slot] as number]) continue;
        const s = (scores[slot] as number) + offset;
        if (s > cut) picked.push(slot);
        else if (s === cut && atCut > 0) {
          picked.push(slot);
          atCut--;
        }
      }
    }
    return picked;
  }

  private jsScan(query: number, base: number, rows: number, blocks: number, out: number): void {
    const words = new Uint32Array(this.buffer());
    const scores = new Int32Array(this.buffer(), out, rows);
    const q = query >> 2;
    const n = blocks * 4;
    for (let r = 0; r < rows; r++) {
      const row = (base >> 2) + r * n;
      let distance = 0;
      for (let w = 0; w < n; w++) distance += popcount32((words[q + w] as number) ^ (words[row + w] as number));
      scores[r] = -distance;
    }
  }
}
