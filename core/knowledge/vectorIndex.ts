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
/**
 * When passages are indexed, the scan keeps this many slots per wanted hit before keeping each entry's best, so
 * that an entry matching through several passages does not crowd others out of the list.
 */
const SLOTS_PER_HIT = 4;
/** Room for the query at the start of memory (dimensions up to 64k). */
const QUERY_BYTES = 65536;

export interface VectorHit {
  id: string;
  /** Approximate cosine similarity (int8). */
  score: number;
  /** Which of the entry's vectors scored it: 0 the whole entry, n ≥ 1 its n-th passage (passages.ts). */
  passage: number;
}

/**
 * Separates an entry's id from a passage number in the ids of passage slots as exported for the snapshot file
 * (`"kb-vpn\u001f3"`): a control character no entry id holds in practice, so the file format stays the same.
 */
const PASSAGE_SEPARATOR = '\u001f';

/** The entry id of a slot key as exported by `exportState` (a passage slot's key holds its number too). */
export function entryIdOfKey(key: string): string {
  const at = key.indexOf(PASSAGE_SEPARATOR);
  return at < 0 ? key : key.slice(0, at);
}

export class VectorIndex {
  private readonly kernel: Int8Kernel;
  private readonly width: number;
  private readonly blocks: number;
  private capacity = 0;
  private used = 0;
  private ids: (string | null)[] = [];
  /** Passage number of each slot (0: the entry as a whole). */
  private passageOfSlot: number[] = [];
  /** The whole-entry slot of each id. */
  private readonly slots = new Map<string, number>();
  /** The passage slots of ids that have some, in passage order (passage n at index n - 1). */
  private readonly passageSlots = new Map<string, number[]>();
  private passageCount = 0;
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

  /** Entries in the index (an entry with passages counts once). */
  get size(): number {
    return this.slots.size;
  }

  /** Vectors in the index: entries plus their passages. */
  get rows(): number {
    return this.slots.size + this.passageCount;
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
      ids: this.ids.slice(0, this.used).map((id, slot) => (id !== null && this.passageOfSlot[slot] ? `${id}${PASSAGE_SEPARATOR}${this.passageOfSlot[slot]}` : id)),
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
    this.ids = [];
    const passages: [string, number, number][] = [];
    for (let slot = 0; slot < used; slot++) {
      const key = ids[slot];
      if (key === null || key === undefined) {
        this.ids[slot] = null;
        this.passageOfSlot[slot] = 0;
        this.codes[slot] = FREE;
        this.freeSlots.push(slot);
        continue;
      }
      const id = entryIdOfKey(key);
      const passage = id === key ? 0 : Number(key.slice(id.length + 1));
      this.ids[slot] = id;
      this.passageOfSlot[slot] = passage;
      if (passage === 0) this.slots.set(id, slot);
      else passages.push([id, passage, slot]);
    }
    passages.sort((a, b) => a[1] - b[1]);
    for (const [id, , slot] of passages) {
      const list = this.passageSlots.get(id) ?? [];
      list.push(slot);
      this.passageSlots.set(id, list);
      this.passageCount++;
    }
    this.used = used;
    this.changes++;
  }

  /**
   * Adds or replaces the vector of `id` (the entry as a whole), with its status code (0-254), and its passages'
   * vectors (passages.ts), which replace any it had: none for an entry matched as a whole.
   */
  set(id: string, vector: Float32Array, status: number, passages: readonly Float32Array[] = []): void {
    for (const v of [vector, ...passages]) {
      if (v.length !== this.dimensions) throw new Error(`A vector of ${v.length} dimensions cannot join an index of ${this.dimensions}.`);
    }
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.allocate(id, 0);
      this.slots.set(id, slot);
    }
    this.write(slot, vector, status);
    const old = this.passageSlots.get(id) ?? [];
    for (const s of old.slice(passages.length)) this.release(s);
    this.passageCount += passages.length - old.length;
    if (passages.length === 0) this.passageSlots.delete(id);
    else {
      const list = passages.map((v, i) => old[i] ?? this.allocate(id, i + 1));
      list.forEach((s, i) => this.write(s, passages[i] as Float32Array, status));
      this.passageSlots.set(id, list);
    }
    this.changes++;
  }

  private allocate(id: string, passage: number): number {
    const slot = this.freeSlots.pop() ?? this.used++;
    // Doubling while small; then 25% steps, since WebAssembly memory never shrinks (doubling left 300k rows in
    // room for 524k: 260 MB instead of 156).
    if (slot >= this.capacity) this.reserve(Math.max(1024, this.capacity < 65536 ? this.capacity * 2 : Math.ceil(this.capacity * 1.25)));
    this.ids[slot] = id;
    this.passageOfSlot[slot] = passage;
    return slot;
  }

  private write(slot: number, vector: Float32Array, status: number): void {
    this.inverseScales[slot] = this.quantise(vector, this.matrixOffset + slot * this.width);
    this.codes[slot] = status;
  }

  private release(slot: number): void {
    this.ids[slot] = null;
    this.passageOfSlot[slot] = 0;
    this.codes[slot] = FREE;
    this.freeSlots.push(slot);
  }

  /** Makes room for `rows` rows at once (at open, where the table's size is known). */
  reserveFor(rows: number): void {
    if (rows > this.capacity) this.reserve(rows);
  }

  /** Changes a row's status without touching its vector. */
  setStatus(id: string, status: number): void {
    const slot = this.slots.get(id);
    if (slot !== undefined) this.codes[slot] = status;
    for (const s of this.passageSlots.get(id) ?? []) this.codes[s] = status;
    this.changes++;
  }

  delete(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    this.release(slot);
    const passages = this.passageSlots.get(id) ?? [];
    for (const s of passages) this.release(s);
    this.passageCount -= passages.length;
    this.passageSlots.delete(id);
    this.changes++;
  }

  /**
   * The best `limit` entries whose status code is in `statuses`, by approximate cosine, best first. An entry with
   * passages scores as its best vector (the whole entry or one passage), and is listed once.
   */
  search(query: Float32Array, statuses: ReadonlySet<number>, limit: number): VectorHit[] {
    if (this.used === 0 || limit <= 0) return [];
    const queryScale = this.quantise(query, 0);
    this.kernel.scan(0, this.matrixOffset, this.used, this.blocks, this.outputOffset);
    const raw = new Int32Array(this.kernel.bytes().buffer, this.outputOffset, this.used);
    const wanted = new Uint8Array(256);
    for (const s of statuses) wanted[s] = 1;
    // With passages, one entry can fill several of the best slots: take more, then keep each entry's best.
    const slotsWanted = this.passageCount > 0 ? limit * SLOTS_PER_HIT : limit;
    const heap = new TopK(slotsWanted);
    const codes = this.codes;
    const scales = this.inverseScales;
    for (let slot = 0; slot < this.used; slot++) {
      if (!wanted[codes[slot] as number]) continue;
      heap.push((raw[slot] as number) * (scales[slot] as number), slot);
    }
    const hits: VectorHit[] = [];
    const seen = new Set<string>();
    for (const { score, slot } of heap.sorted()) {
      const id = this.ids[slot] as string;
      if (seen.has(id)) continue;
      seen.add(id);
      hits.push({ id, score: score * queryScale, passage: this.passageOfSlot[slot] ?? 0 });
      if (hits.length === limit) break;
    }
    return hits;
  }

  /**
   * Approximate cosines (int8) of `query` with the entries of `ids`, each its best vector (whole or a passage) and
   * which one; ids not in the index are left out. For the hits of the full-text leg, which the vector scan may not
   * have ranked.
   */
  scores(query: Float32Array, ids: readonly string[]): Map<string, { score: number; passage: number }> {
    const out = new Map<string, { score: number; passage: number }>();
    const queryScale = this.quantise(query, 0);
    const memory = new Int8Array(this.kernel.bytes().buffer);
    for (const id of ids) {
      const slot = this.slots.get(id);
      if (slot === undefined) continue;
      let best = { score: -Infinity, passage: 0 };
      for (const s of [slot, ...(this.passageSlots.get(id) ?? [])]) {
        const row = this.matrixOffset + s * this.width;
        let sum = 0;
        for (let k = 0; k < this.width; k++) sum += (memory[k] as number) * (memory[row + k] as number);
        const score = sum * (this.inverseScales[s] as number) * queryScale;
        if (score > best.score) best = { score, passage: this.passageOfSlot[s] ?? 0 };
      }
      out.set(id, best);
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

/** A bounded min-heap keeping the `k` best (score, slot) pairs. */
class TopK {
  private readonly scores: Float64Array;
  private readonly slots: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.slots = new Int32Array(k);
  }

  /** The lowest score kept, once full (a candidate must beat it); -Infinity before. */
  get floor(): number {
    return this.size < this.k ? -Infinity : (this.scores[0] as number);
  }

  push(score: number, slot: number): void {
    const heapScore = this.scores;
    const heapSlot = this.slots;
    if (this.size < this.k) {
      let i = this.size++;
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
      const size = this.size;
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

  /** The kept pairs, best first. */
  sorted(): { score: number; slot: number }[] {
    const out: { score: number; slot: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ score: this.scores[i] as number, slot: this.slots[i] as number });
    return out.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }
}
