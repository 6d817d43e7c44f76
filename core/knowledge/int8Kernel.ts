/**
 * The inner loop of the in-memory vector scan: dot products of one int8 query against every int8 row, as a tiny
 * WebAssembly module using 128-bit SIMD (16 int8 products per step), with a plain JS loop where WebAssembly SIMD is
 * unavailable. Hand-assembled here (about 150 bytes) because the project ships no WebAssembly toolchain; the test
 * suite checks it against the JS loop.
 *
 * Why: a JS typed-array loop does one multiply-add per step, about 150 ms for 300k x 512 on this machine's cores;
 * the SIMD loop is bandwidth-bound (`npm run bench:scale`, BENCHMARKS.md).
 */
import { ADD, get, i32, PAGE, section, set, SIMD, storeLaneSumThenNextRow, tee, uleb, wasm, WASM_HEADER, wasmName, type WasmMemory } from './wasmAssembly';

/** Rows are padded to a multiple of this many bytes (one SIMD register). */
export const LANE_BYTES = 16;

/**
 * scan(query, base, rows, blocks, out): for r in [0, rows): out[r] = Σ query[k] · row_r[k] over `blocks` × 16 int8
 * values, where row_r starts at base + r·blocks·16; out is int32. All arguments are byte offsets into the memory.
 */
function wasmModuleBytes(): Uint8Array {
  const load = [SIMD, 0x00, 0x04, 0x00]; // v128.load align=16 offset=0
  const extLow = [SIMD, 0x87, 0x01]; // i16x8.extend_low_i8x16_s
  const extHigh = [SIMD, 0x88, 0x01]; // i16x8.extend_high_i8x16_s
  const dotI16 = [SIMD, 0xba, 0x01]; // i32x4.dot_i16x8_s
  const addI32x4 = [SIMD, 0xae, 0x01]; // i32x4.add
  // params: 0 query, 1 base, 2 rows, 3 blocks, 4 out; locals: 5 i, 6 j, 7 p, 8 qp (i32); 9 acc, 10 v, 11 w (v128)
  const [Q, BASE, ROWS, BLOCKS, OUT, I, J, P, QP, ACC, V, W] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const body = [
    0x02, 0x04, 0x7f, 0x03, 0x7b, // locals: 4 × i32, 3 × v128
    ...get(BASE), ...set(P),
    0x02, 0x40, // block $done
    0x03, 0x40, // loop $rows
    ...get(I), ...get(ROWS), 0x4f, 0x0d, 0x01, // if i >= rows: br $done
    SIMD, 0x0c, ...new Array<number>(16).fill(0), ...set(ACC), // acc = 0
    ...i32(0), ...set(J),
    ...get(Q), ...set(QP),
    0x03, 0x40, // loop $cols
    ...get(P), ...load, ...set(V),
    ...get(QP), ...load, ...set(W),
    ...get(ACC),
    ...get(V), ...extLow, ...get(W), ...extLow, ...dotI16, ...addI32x4,
    ...get(V), ...extHigh, ...get(W), ...extHigh, ...dotI16, ...addI32x4,
    ...set(ACC),
    ...get(P), ...i32(16), ADD, ...set(P),
    ...get(QP), ...i32(16), ADD, ...set(QP),
    ...get(J), ...i32(1), ADD, ...tee(J), ...get(BLOCKS), 0x49, 0x0d, 0x00, // if ++j < blocks: br $cols
    0x0b, // end $cols
    ...storeLaneSumThenNextRow(OUT, I, ACC),
  ];
  return Uint8Array.from([
    ...WASM_HEADER,
    ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]), // type: (i32 ×5) → ()
    ...section(3, [0x01, 0x00]), // one function of type 0
    ...section(5, [0x01, 0x00, 0x01]), // one memory, min 1 page, no maximum
    ...section(7, [0x02, ...wasmName('memory'), 0x02, 0x00, ...wasmName('scan'), 0x00, 0x00]),
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ]);
}

/** Growable linear memory plus the scan function over it. */
export interface Int8Kernel {
  /** `simd` (WebAssembly) or `js` (fallback). */
  readonly kind: 'simd' | 'js';
  /** The memory's bytes; re-read after `grow`, which replaces the buffer. */
  bytes(): Uint8Array;
  /** Makes the memory at least `size` bytes long. */
  grow(size: number): void;
  scan(query: number, base: number, rows: number, blocks: number, out: number): void;
}


class WasmKernel implements Int8Kernel {
  readonly kind = 'simd';
  constructor(
    private readonly memory: WasmMemory,
    private readonly fn: (q: number, base: number, rows: number, blocks: number, out: number) => void,
  ) {}
  bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }
  grow(size: number): void {
    const have = this.memory.buffer.byteLength;
    if (size > have) this.memory.grow(Math.ceil((size - have) / PAGE));
  }
  scan(query: number, base: number, rows: number, blocks: number, out: number): void {
    if (rows > 0) this.fn(query, base, rows, blocks, out);
  }
}

class JsKernel implements Int8Kernel {
  readonly kind = 'js';
  private buffer = new ArrayBuffer(PAGE);
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer);
  }
  grow(size: number): void {
    if (size <= this.buffer.byteLength) return;
    const next = new ArrayBuffer(Math.max(size, this.buffer.byteLength * 2));
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
  }
  scan(query: number, base: number, rows: number, blocks: number, out: number): void {
    const signed = new Int8Array(this.buffer);
    const scores = new Int32Array(this.buffer, out, rows);
    const width = blocks * LANE_BYTES;
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      const row = base + r * width;
      for (let k = 0; k < width; k++) sum += (signed[query + k] as number) * (signed[row + k] as number);
      scores[r] = sum;
    }
  }
}

/** The SIMD kernel when this runtime has WebAssembly SIMD, else the JS loop; `prefer: 'js'` forces the fallback. */
export function createInt8Kernel(prefer: 'auto' | 'js' = 'auto'): Int8Kernel {
  if (prefer === 'auto' && wasm) {
    const bytes = wasmModuleBytes();
    if (wasm.validate(bytes)) {
      const instance = new wasm.Instance(new wasm.Module(bytes));
      const { memory, scan } = instance.exports as { memory: WasmMemory; scan: WasmKernel['scan'] };
      return new WasmKernel(memory, scan);
    }
  }
  return new JsKernel();
}
