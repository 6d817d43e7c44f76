/**
 * The vector leg of search: every entry's vector, quantised to int8 with a per-vector scale, held in memory and
 * scanned in full for each query by a SIMD kernel (int8Kernel.ts). An exhaustive scan has no index to build or
 * keep fresh, so a learned entry is searchable the moment it is written, and recall is that of brute force up to
 * the quantisation error (cosines within 0.015 of exact, recall@10 0.98 against an exact float scan on BANKING77).
 *
 * Memory: one byte per dimension per entry (300k x 512 = 154 MB), a quarter of float32.
 * Time: about 10 ms per query at 300k x 512 on one core of this machine (`npm run bench:scale`).
 */
import { createInt8Kernel, LANE_BYTES, type Int8Kernel } from './int8Kernel';

/** A slot's status code, or FREE for a deleted slot. */
const FREE = 255;
/** Room for the query at the start of memory (dimensions up to 64k). */
const QUERY_BYTES = 65536;

export interface VectorHit {
  id: string;
  /** Approximate cosine similarity (int8). */
  score: number;
}

export class VectorIndex {
  private readonly kernel: Int8Kernel;
  private readonly width: number;
  private readonly blocks: number;
  private capacity = 0;
  private used = 0;
  private ids: (string | null)[] = [];
  private readonly slots = new Map<string, number>();
  private freeSlots: number[] = [];
  private codes = new Uint8Array(0);
  /** 1 / scale of each row: the int8 dot product times this (and the query's) is the cosine. */
  private inverseScales = new Float32Array(0);
  private changes = 0;

  /** `kernel: 'js'` forces the JS scan (tests compare the two). */
  constructor(
    readonly dimensions: number,
    options: { kernel?: 'auto' | 'js' } = {},
  ) {
    this.kernel = createInt8Kernel(options.kernel ?? 'auto');
    this.blocks = Math.ceil(dimensions / LANE_BYTES);
    this.width = this.blocks * LANE_BYTES;
    if (this.width > QUERY_BYTES) throw new Error(`Vectors of ${dimensions} dimensions are too large for the vector index.`);
  }

  /** Which scan runs: WebAssembly SIMD or the JS fallback. */
  get kernelKind(): 'simd' | 'js' {
    return this.kernel.kind;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Bytes held for vectors (codes, scales and scan output). */
  get bytes(): number {
    return this.capacity * (this.width + 8);
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Bytes per row in the int8 matrix (dimensions padded to whole SIMD lanes). */
  get rowBytes(): number {
    return this.width;
  }

  /** Counts every change (set, status, delete): a snapshot being written is discarded if this moved meanwhile. */
  get revision(): number {
    return this.changes;
  }

  /**
   * The index's state for a snapshot file (vectorSnapshot.ts): per slot its id (null: free), status code and
   * 1 / scale (copies), and a way to read the int8 matrix in chunks straight from memory (no 150 MB copy). The
   * chunks are views valid until the next change; check `revision` afterwards.
   */
  exportState(): { ids: (string | null)[]; codes: Uint8Array; inverseScales: Float32Array; matrixChunk: (start: number, end: number) => Uint8Array } {
    return {
      ids: this.ids.slice(0, this.used),
      codes: this.codes.slice(0, this.used),
      inverseScales: this.inverseScales.slice(0, this.used),
      matrixChunk: (start, end) => new Uint8Array(this.kernel.bytes().buffer, this.matrixOffset + start, Math.min(end, this.used * this.width) - start),
    };
  }

  /**
   * Replaces the index's content with a snapshot's (an empty index only): ids, codes and scales per slot, and the
   * int8 matrix, which `fillMatrix` writes into the returned memory view (`used` × `rowBytes` bytes).
   */
  async importState(
    ids: readonly (string | null)[],
    codes: Uint8Array,
    inverseScales: Float32Array,
    fillMatrix: (target: Uint8Array) => Promise<void>,
  ): Promise<void> {
    if (this.used !== 0) throw new Error('A snapshot can only be loaded into an empty vector index.');
    const used = ids.length;
    if (codes.length !== used || inverseScales.length !== used) throw new Error('The snapshot\'s ids, statuses and scales differ in length.');
    this.reserve(Math.max(1024, Math.ceil(used * 1.05)));
    await fillMatrix(new Uint8Array(this.kernel.bytes().buffer, this.matrixOffset, used * this.width));
    this.codes.set(codes);
    this.inverseScales.set(inverseScales);
    this.ids = [...ids];
    for (let slot = 0; slot < used; slot++) {
      const id = ids[slot];
      if (id === null || id === undefined) {
        this.codes[slot] = FREE;
        this.freeSlots.push(slot);
      } else this.slots.set(id, slot);
    }
    this.used = used;
    this.changes++;
  }

  /** Adds or replaces the vector of `id`, with its status code (0-254). */
  set(id: string, vector: Float32Array, status: number): void {
    if (vector.length !== this.dimensions) {
      throw new Error(`A vector of ${vector.length} dimensions cannot join an index of ${this.dimensions}.`);
    }
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.used++;
      // Doubling while small; then 25% steps, since WebAssembly memory never shrinks (doubling left 300k rows in
      // room for 524k: 260 MB instead of 156).
      if (slot >= this.capacity) this.reserve(Math.max(1024, this.capacity < 65536 ? this.capacity * 2 : Math.ceil(this.capacity * 1.25)));
      this.slots.set(id, slot);
      this.ids[slot] = id;
    }
    this.inverseScales[slot] = this.quantise(vector, this.matrixOffset + slot * this.width);
    this.codes[slot] = status;
    this.changes++;
  }

  /** Makes room for `rows` rows at once (at open, where the table's size is known). */
  reserveFor(rows: number): void {
    if (rows > this.capacity) this.reserve(rows);
  }

  /** Changes a row's status without touching its vector. */
  setStatus(id: string, status: number): void {
    const slot = this.slots.get(id);
    if (slot !== undefined) this.codes[slot] = status;
    this.changes++;
  }

  delete(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    this.ids[slot] = null;
    this.codes[slot] = FREE;
    this.freeSlots.push(slot);
    this.changes++;
  }

  /** The best `limit` rows whose status code is in `statuses`, by approximate cosine, best first. */
  search(query: Float32Array, statuses: ReadonlySet<number>, limit: number): VectorHit[] {
    if (this.used === 0 || limit <= 0) return [];
    const queryScale = this.quantise(query, 0);
    this.kernel.scan(0, this.matrixOffset, this.used, this.blocks, this.outputOffset);
    const raw = new Int32Array(this.kernel.bytes().buffer, this.outputOffset, this.used);
    const wanted = new Uint8Array(256);
    for (const s of statuses) wanted[s] = 1;

    // Top-k by a bounded min-heap over (score, slot).
    const heapScore = new Float64Array(limit);
    const heapSlot = new Int32Array(limit);
    let size = 0;
    const codes = this.codes;
    const scales = this.inverseScales;
    for (let slot = 0; slot < this.used; slot++) {
      if (!wanted[codes[slot] as number]) continue;
      const score = (raw[slot] as number) * (scales[slot] as number);
      if (size < limit) {
        let i = size++;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if ((heapScore[parent] as number) <= score) break;
          heapScore[i] = heapScore[parent] as number;
          heapSlot[i] = heapSlot[parent] as number;
          i = parent;
        }
        heapScore[i] = score;
        heapSlot[i] = slot;
      } else if (score > (heapScore[0] as number)) {
        let i = 0;
        for (;;) {
          const left = 2 * i + 1;
          if (left >= size) break;
          const right = left + 1;
          const child = right < size && (heapScore[right] as number) < (heapScore[left] as number) ? right : left;
          if ((heapScore[child] as number) >= score) break;
          heapScore[i] = heapScore[child] as number;
          heapSlot[i] = heapSlot[child] as number;
          i = child;
        }
        heapScore[i] = score;
        heapSlot[i] = slot;
      }
    }
    const hits: VectorHit[] = [];
    for (let i = 0; i < size; i++) {
      hits.push({ id: this.ids[heapSlot[i] as number] as string, score: (heapScore[i] as number) * queryScale });
    }
    return hits.sort((a, b) => b.score - a.score);
  }

  /**
   * Approximate cosines (int8) of `query` with the rows of `ids`; ids not in the index are left out. For the hits
   * of the full-text leg, which the vector scan may not have ranked.
   */
  scores(query: Float32Array, ids: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    const queryScale = this.quantise(query, 0);
    const memory = new Int8Array(this.kernel.bytes().buffer);
    for (const id of ids) {
      const slot = this.slots.get(id);
      if (slot === undefined) continue;
      const row = this.matrixOffset + slot * this.width;
      let sum = 0;
      for (let k = 0; k < this.width; k++) sum += (memory[k] as number) * (memory[row + k] as number);
      out.set(id, sum * (this.inverseScales[slot] as number) * queryScale);
    }
    return out;
  }

  private get matrixOffset(): number {
    return QUERY_BYTES;
  }

  private get outputOffset(): number {
    return this.matrixOffset + this.capacity * this.width;
  }

  /** Grows room to `capacity` rows; the matrix stays in place and the scan output moves after it. */
  private reserve(capacity: number): void {
    this.kernel.grow(this.matrixOffset + capacity * (this.width + 4));
    const codes = new Uint8Array(capacity).fill(FREE);
    codes.set(this.codes);
    this.codes = codes;
    const scales = new Float32Array(capacity);
    scales.set(this.inverseScales);
    this.inverseScales = scales;
    this.capacity = capacity;
  }

  /** Writes `vector` as int8 at `offset` (scaled so its largest component is ±127); returns 1 / scale. */
  private quantise(vector: Float32Array, offset: number): number {
    let max = 0;
    for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i] as number));
    const target = new Int8Array(this.kernel.bytes().buffer, offset, this.width);
    target.fill(0);
    if (max === 0) return 0;
    const scale = 127 / max;
    for (let i = 0; i < vector.length; i++) target[i] = Math.round((vector[i] as number) * scale);
    return 1 / scale;
  }
}
