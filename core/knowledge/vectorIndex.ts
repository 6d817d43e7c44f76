/**
 * The vector leg of search: every entry's vector, quantised to int8 with a per-vector scale, held in memory and
 * scanned in full for each query by a SIMD kernel (int8Kernel.ts). An exhaustive scan has no index to build or
 * keep fresh, so a learned entry is searchable the moment it is written, and recall is that of brute force up to
 * the quantisation error (cosines within 0.015 of exact, recall@10 0.98 against an exact float scan on BANKING77).
 *
 * Memory: one byte per dimension per entry (300k x 512 = 154 MB), a quarter of float32.
 * Time: about 10 ms per query at 300k x 512 on one core of this machine (`npm run bench:scale`).
 *
 * An entry may have several vectors (its passages, passages.ts); it is scored as its best one. From a million or so
 * vectors a full scan is too slow for the decision budget, so the index can be partitioned (`partition`, IVF): the
 * rows are reordered list by list, and a search scans the lists nearest the query plus every row written since
 * the partition, which keeps a learned entry searchable the moment it is written. The probed lists are scanned in two
 * stages: sign codes of their rows (signCodes.ts, one bit a dimension) pick `IVF_RESCORE` candidates,
 * which are then scored on their int8 rows; the rows written since the partition are scanned on their int8 rows.
 */
import { createInt8Kernel, LANE_BYTES, type Int8Kernel } from './int8Kernel';
import { SignCodes } from './signCodes';
import { TopK } from './topK';

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

/** A coarse partition of the rows (IVF): slots [0, end) sorted by list; list j is [starts[j], starts[j + 1]). */
interface Partition {
  /** Centroids as int8 rows in their own memory, scanned like the rows (query at 0). */
  kernel: Int8Kernel;
  lists: number;
  /** 1 / scale of each centroid's int8 row. */
  inverseScales: Float32Array;
  starts: Int32Array;
  end: number;
  /** Sign codes of the rows [0, end), the first stage of a search (signCodes.ts). */
  codes: SignCodes;
}

/**
 * A partition as kept in the snapshot file (partitionSnapshot.ts), so that opening a partitioned store does not
 * train it again (28-49 s at 1M vectors, BENCHMARKS.md). List j holds slots [starts[j], starts[j + 1]).
 */
export interface SavedPartition {
  lists: number;
  /** The centroids' int8 rows, `lists` × `rowBytes` bytes. */
  centroids: Uint8Array;
  /** 1 / scale of each centroid's row. */
  inverseScales: Float32Array;
  /** `lists + 1` slot bounds; the last is where the rows written since the partition begin. */
  starts: Int32Array;
}

/** Settings of `partition` (defaults: IVF_* below). */
export interface PartitionOptions {
  lists?: number;
  /** Rows sampled to train the centroids. */
  sample?: number;
  iterations?: number;
}

/** Search options: `exact` scans every row even when the index is partitioned (tests, benchmarks). */
export interface VectorSearchOptions {
  exact?: boolean;
  /** Lists scanned per query (default `IVF_PROBES`). */
  probes?: number;
  /**
   * Rows of the probed lists picked by their codes (signCodes.ts) and then scored on their int8 vectors (default
   * `IVF_RESCORE`); 0 scores every row of the probed lists on its int8 vector.
   */
  rescore?: number;
}

/**
 * Rows from which the store partitions the index (IVF). The exact int8 scan grows with the rows: at 300k x 512 it was
 * 34.5-37 ms of a 55-60 ms p95 decision on this machine, the largest part of it, against a 60 ms budget. Partitioned
 * there (1,024 lists, 192 probes, two stages), the vector leg took 1.9 ms (p50) and found 0.977 of the exact int8
 * scan's top 10 over 300 queries, and the decision p95 fell to 24-28 ms (`npm run bench:scale -- --sizes 300000`,
 * side by side with 400k as the threshold: 57.5 ms; BENCHMARKS.md). Training takes 12-19 s at 200-300k rows, once
 * when the index reaches this size and on a repartition; the snapshot keeps it. Below 200k the exact scan stays
 * under about 25 ms and needs no training. Passages multiply the vectors: a 300k-entry store with long articles
 * holds about a million.
 */
export const IVF_MIN_ROWS = 200_000;
/**
 * Lists of the partition. More, smaller lists cut the rows a query scans for the same recall; training scans every
 * row against every centroid, so it grows with them. At 1M BANKING77 questions and variants, side by side in one
 * process over the 300 test queries of `bench:scale` (BENCHMARKS.md): 256 lists and 64 probes found 0.952 of the
 * exact int8 scan's top 10 in 30.8 ms (p50), 1,024 lists and 128 probes 0.956 in 17.1 ms; training took 28.5 s and
 * 54.3 s (the snapshot keeps the partition, so that is paid when the index reaches `IVF_MIN_ROWS` and on a
 * repartition, not at every open).
 */
export const IVF_LISTS = 1024;
/**
 * Lists scanned per query (three sixteenths of them), for recall@10 >= 0.95 against the exact int8 scan over the 300
 * test queries of `bench:scale` at 1M. One stage (every probed row scored on int8, `test/bench/searchLegs.ts --probes`
 * on an imported 1M store): 64 / 128 / 192 / 256 probes of 1,024 lists found 0.934 / 0.956 / 0.966 / 0.973; with 256
 * lists, 32 probes had found 0.970 over the first 50 queries but 0.927 over all 300. The variants (one question
 * ending with half of another) sit between topics, so their neighbours are spread over many lists; passages of one
 * article cluster better. Two stages (`IVF_RESCORE`): 192 rather than 128 probes, since the codes cost 0.007-0.009
 * of recall and 128 probes left 0.006 of margin on that store, for 1.7 ms more (below).
 */
export const IVF_PROBES = 192;
/**
 * Candidates per query that the sign codes pick among the probed rows for the int8 scan (`VectorSearchOptions.rescore`).
 * At 1M BANKING77 questions and variants, 300 queries, one process, load 1.1-1.3 (`bench:scale --vector-leg-only`,
 * BENCHMARKS.md): with 128 probes, the one-stage scan found 0.990 of the exact int8 scan's top 10 in 18.0 ms (p50);
 * 2,000 / 4,000 candidates found 0.975 / 0.981 in 4.8 / 5.4 ms; 192 probes and 4,000 candidates 0.983 in 7.1 ms.
 * The codes' scan is most of the time, so candidates are cheap.
 */
export const IVF_RESCORE = 4000;
const IVF_SAMPLE = 32 * IVF_LISTS;
const IVF_ITERATIONS = 8;

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
  private ivf: Partition | null = null;
  private builds = 0;

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
    return this.capacity * (this.width + 8) + (this.ivf ? this.ivf.lists * (this.width + 8) + this.ivf.codes.bytes : 0);
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
    if (slot !== undefined && this.ivf && slot < this.ivf.end) {
      // A row of the partition belongs to the list of its old vector: the new one goes to the tail, which every
      // search scans, until the next partition.
      this.delete(id);
      slot = undefined;
    }
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
    // A free slot inside the partition stays a hole until the next partition: reused, it would hold a vector
    // filed under another list.
    if (!this.ivf || slot >= this.ivf.end) this.freeSlots.push(slot);
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
  search(query: Float32Array, statuses: ReadonlySet<number>, limit: number, options: VectorSearchOptions = {}): VectorHit[] {
    if (this.used === 0 || limit <= 0) return [];
    const queryScale = this.quantise(query, 0);
    let ranges = this.ivf && !options.exact ? this.probedRanges(this.ivf, options.probes ?? IVF_PROBES) : [[0, this.used] as const];
    const raw = new Int32Array(this.kernel.bytes().buffer, this.outputOffset, this.used);
    const wanted = new Uint8Array(256);
    for (const s of statuses) wanted[s] = 1;
    // With passages, one entry can fill several of the best slots: take more, then keep each entry's best.
    const slotsWanted = this.passageCount > 0 ? limit * SLOTS_PER_HIT : limit;
    const heap = new TopK(slotsWanted);
    const codes = this.codes;
    const scales = this.inverseScales;
    const rescore = options.rescore ?? IVF_RESCORE;
    if (this.ivf && !options.exact && rescore > 0) {
      // Two stages: the codes pick candidates among the probed lists, which are then scored on their int8 rows.
      const end = this.ivf.end;
      const memory = new Int8Array(this.kernel.bytes().buffer);
      for (const slot of this.ivf.codes.candidates(memory, 0, ranges.filter(([a]) => a < end), codes, wanted, Math.max(rescore, slotsWanted))) {
        this.kernel.scan(0, this.matrixOffset + slot * this.width, 1, this.blocks, this.outputOffset + slot * 4);
        heap.push((raw[slot] as number) * (scales[slot] as number), slot);
      }
      ranges = ranges.filter(([a]) => a >= end);
    }
    for (const [start, end] of ranges) {
      this.kernel.scan(0, this.matrixOffset + start * this.width, end - start, this.blocks, this.outputOffset + start * 4);
      for (let slot = start; slot < end; slot++) {
        if (!wanted[codes[slot] as number]) continue;
        heap.push((raw[slot] as number) * (scales[slot] as number), slot);
      }
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

  /** Whether the index is partitioned (IVF), and into how many lists. */
  get partitionLists(): number {
    return this.ivf?.lists ?? 0;
  }

  /** Partitions trained by this index (`partition`); one restored from a snapshot (`restorePartition`) does not count. */
  get partitionsBuilt(): number {
    return this.builds;
  }

  /** A copy of the partition for the snapshot file, or null when the index is not partitioned. */
  exportPartition(): SavedPartition | null {
    const ivf = this.ivf;
    if (!ivf) return null;
    const centroids = ivf.kernel.bytes().slice(QUERY_BYTES, QUERY_BYTES + ivf.lists * this.width);
    return { lists: ivf.lists, centroids, inverseScales: ivf.inverseScales.slice(), starts: ivf.starts.slice() };
  }

  /**
   * Takes back a partition saved with the rows now in the index (just loaded from the same snapshot). Throws,
   * changing nothing, when it does not fit them; then the caller partitions again. Free slots inside the partition
   * stay holes (see `release`).
   */
  restorePartition(saved: SavedPartition): void {
    const { lists, starts } = saved;
    if (this.ivf) throw new Error('the index is already partitioned');
    if (!Number.isInteger(lists) || lists < 1) throw new Error(`${lists} lists`);
    if (saved.centroids.length !== lists * this.width || saved.inverseScales.length !== lists || starts.length !== lists + 1) {
      throw new Error(`its sizes do not fit ${lists} lists of ${this.width} bytes`);
    }
    for (let j = 0; j < lists; j++) if (!((starts[j + 1] as number) >= (starts[j] as number))) throw new Error(`list ${j} ends before it starts`);
    if (starts[0] !== 0 || (starts[lists] as number) > this.used) throw new Error(`its lists cover slots ${starts[0]}-${starts[lists]}, the index has ${this.used}`);
    if (!saved.inverseScales.every(Number.isFinite)) throw new Error('a centroid scale is not a number');
    const kernel = createInt8Kernel(this.kernel.kind === 'js' ? 'js' : 'auto');
    kernel.grow(QUERY_BYTES + lists * (this.width + 4));
    kernel.bytes().set(saved.centroids, QUERY_BYTES);
    const end = starts[lists] as number;
    this.ivf = { kernel, lists, inverseScales: saved.inverseScales.slice(), starts: starts.slice(), end, codes: this.buildCodes(end) };
    this.freeSlots = this.freeSlots.filter((slot) => slot >= end);
    this.changes++;
  }

  /** Rows outside the partition (written since it was built), scanned in full by every search. */
  get unpartitionedRows(): number {
    return this.ivf ? this.used - this.ivf.end : this.used;
  }

  /**
   * The slot ranges a partitioned search scans: the `probes` lists whose centroids are nearest the query (already
   * quantised at offset 0), and the tail of rows written since the partition.
   */
  private probedRanges(ivf: Partition, probes: number): (readonly [number, number])[] {
    const memory = this.kernel.bytes();
    const centroidMemory = ivf.kernel.bytes();
    centroidMemory.set(memory.subarray(0, this.width), 0);
    const out = QUERY_BYTES + ivf.lists * this.width;
    ivf.kernel.scan(0, QUERY_BYTES, ivf.lists, this.blocks, out);
    const raw = new Int32Array(ivf.kernel.bytes().buffer, out, ivf.lists);
    const best = new TopK(Math.min(probes, ivf.lists));
    for (let j = 0; j < ivf.lists; j++) best.push((raw[j] as number) * (ivf.inverseScales[j] as number), j);
    const ranges: (readonly [number, number])[] = best
      .sorted()
      .map(({ slot: j }) => [ivf.starts[j] as number, ivf.starts[j + 1] as number] as const)
      .filter(([a, b]) => b > a);
    if (this.used > ivf.end) ranges.push([ivf.end, this.used]);
    return ranges;
  }

  /**
   * Partitions the rows into `lists` lists by spherical k-means over a sample (IVF): the rows are reordered so each
   * list is contiguous, and a search then scans the lists nearest the query plus every row written since. Holes
   * left by deletes are dropped. Takes a few seconds at 1M rows (one scan of the centroids per row); searches keep
   * working on the whole index until it returns. Deterministic: the sample is evenly spaced.
   */
  partition(options: PartitionOptions = {}): void {
    const live: number[] = [];
    for (let slot = 0; slot < this.used; slot++) if (this.ids[slot] !== null) live.push(slot);
    const lists = Math.max(1, Math.min(options.lists ?? IVF_LISTS, live.length));
    const width = this.width;
    const memory = new Int8Array(this.kernel.bytes().buffer);
    const kernel = createInt8Kernel(this.kernel.kind === 'js' ? 'js' : 'auto');
    kernel.grow(QUERY_BYTES + lists * (width + 4));
    const inverseScales = new Float32Array(lists);
    const out = QUERY_BYTES + lists * width;
    const rowOf = (slot: number): number => this.matrixOffset + slot * width;
    /**
     * Writes float centroids as int8 rows of the centroid memory, as unit vectors: a sum of many members would
     * otherwise outscore every other centroid by its length alone.
     */
    const load = (centroids: Float32Array[]): void => {
      const target = new Int8Array(kernel.bytes().buffer);
      centroids.forEach((c, j) => {
        let max = 0;
        let norm = 0;
        for (let k = 0; k < c.length; k++) {
          max = Math.max(max, Math.abs(c[k] as number));
          norm += (c[k] as number) ** 2;
        }
        max /= Math.sqrt(norm) || 1;
        for (let k = 0; k < c.length; k++) c[k] = (c[k] as number) / (Math.sqrt(norm) || 1);
        const at = QUERY_BYTES + j * width;
        target.fill(0, at, at + width);
        const scale = max === 0 ? 0 : 127 / max;
        for (let k = 0; k < c.length; k++) target[at + k] = Math.round((c[k] as number) * scale);
        inverseScales[j] = scale === 0 ? 0 : 1 / scale;
      });
    };
    /** The nearest centroid of a row (its int8 codes copied in as the query). */
    const nearest = (slot: number): number => {
      const bytes = kernel.bytes();
      bytes.set(this.kernel.bytes().subarray(rowOf(slot), rowOf(slot) + width), 0);
      kernel.scan(0, QUERY_BYTES, lists, this.blocks, out);
      const raw = new Int32Array(kernel.bytes().buffer, out, lists);
      let best = 0;
      let bestScore = -Infinity;
      for (let j = 0; j < lists; j++) {
        const score = (raw[j] as number) * (inverseScales[j] as number);
        if (score > bestScore) {
          bestScore = score;
          best = j;
        }
      }
      return best;
    };
    const sampleSize = Math.min(live.length, options.sample ?? Math.max(IVF_SAMPLE, lists * 32));
    const sample = Array.from({ length: sampleSize }, (_, i) => live[Math.floor((i * live.length) / sampleSize)] as number);
    const asFloat = (slot: number, into: Float32Array, weight = 1): void => {
      const at = rowOf(slot);
      const scale = (this.inverseScales[slot] as number) * weight;
      for (let k = 0; k < this.dimensions; k++) into[k] = (into[k] as number) + (memory[at + k] as number) * scale;
    };
    let centroids: Float32Array[] = Array.from({ length: lists }, (_, j) => {
      const c = new Float32Array(this.dimensions);
      asFloat(sample[Math.floor((j * sample.length) / lists)] as number, c);
      return c;
    });
    load(centroids);
    for (let iteration = 0; iteration < (options.iterations ?? IVF_ITERATIONS); iteration++) {
      const sums = Array.from({ length: lists }, () => new Float32Array(this.dimensions));
      const counts = new Int32Array(lists);
      for (const slot of sample) {
        const j = nearest(slot);
        asFloat(slot, sums[j] as Float32Array);
        counts[j] = (counts[j] as number) + 1;
      }
      // Spherical k-means: each centroid is its members' mean direction; an empty list keeps its centroid.
      centroids = sums.map((sum, j) => (counts[j] ? sum : (centroids[j] as Float32Array)));
      load(centroids);
    }

    // Every live row to its list, then the rows reordered list by list (a permutation applied in place, cycle by
    // cycle, so the matrix is never copied whole).
    const listOf = new Int32Array(live.length);
    const sizes = new Int32Array(lists + 1);
    live.forEach((slot, i) => {
      const j = nearest(slot);
      listOf[i] = j;
      sizes[j + 1] = (sizes[j + 1] as number) + 1;
    });
    const starts = new Int32Array(lists + 1);
    for (let j = 0; j < lists; j++) starts[j + 1] = (starts[j] as number) + (sizes[j + 1] as number);
    const next = starts.slice(0, lists);
    /** source[newSlot] = oldSlot */
    const source = new Int32Array(live.length);
    live.forEach((slot, i) => {
      const j = listOf[i] as number;
      source[next[j]!++] = slot;
    });
    this.permute(source);
    this.ivf = { kernel, lists, inverseScales, starts, end: live.length, codes: this.buildCodes(live.length) };
    this.builds++;
    this.changes++;
  }

  /** The codes of rows [0, end) (the partition's), from their int8 rows. */
  private buildCodes(end: number): SignCodes {
    const codes = new SignCodes(this.dimensions, this.kernel.kind === 'js' ? 'js' : 'auto');
    codes.build(new Int8Array(this.kernel.bytes().buffer), this.matrixOffset, this.width, end);
    return codes;
  }

  /** Reorders rows so that new slot i holds old slot `source[i]`; slots past `source.length` are dropped. */
  private permute(source: Int32Array): void {
    const n = source.length;
    const width = this.width;
    const bytes = this.kernel.bytes();
    const base = this.matrixOffset;
    const row = new Uint8Array(width);
    const ids = Array.from(source, (old) => this.ids[old] ?? null);
    const passages = Array.from(source, (old) => this.passageOfSlot[old] ?? 0);
    const codes = Uint8Array.from(source, (old) => this.codes[old] as number);
    const scales = Float32Array.from(source, (old) => this.inverseScales[old] as number);
    // Compact first: live rows move down to [0, n) in slot order, so source becomes a permutation of [0, n).
    const sortedOld = Array.from(source).sort((a, b) => a - b);
    const compactOf = new Map<number, number>();
    sortedOld.forEach((old, i) => {
      compactOf.set(old, i);
      if (old !== i) bytes.copyWithin(base + i * width, base + old * width, base + (old + 1) * width);
    });
    const perm = Int32Array.from(source, (old) => compactOf.get(old) as number);
    const done = new Uint8Array(n);
    for (let start = 0; start < n; start++) {
      if (done[start] || perm[start] === start) {
        done[start] = 1;
        continue;
      }
      row.set(bytes.subarray(base + start * width, base + (start + 1) * width));
      let at = start;
      for (;;) {
        done[at] = 1;
        const from = perm[at] as number;
        if (from === start) {
          bytes.set(row, base + at * width);
          break;
        }
        bytes.copyWithin(base + at * width, base + from * width, base + (from + 1) * width);
        at = from;
      }
    }
    this.ids = ids;
    this.passageOfSlot = passages;
    this.codes.fill(FREE);
    this.codes.set(codes);
    this.inverseScales.fill(0);
    this.inverseScales.set(scales);
    this.used = n;
    this.freeSlots = [];
    this.slots.clear();
    const passageLists = new Map<string, [number, number][]>();
    ids.forEach((id, slot) => {
      if (id === null) return;
      const p = passages[slot] as number;
      if (p === 0) this.slots.set(id, slot);
      else {
        const list = passageLists.get(id) ?? [];
        list.push([p, slot]);
        passageLists.set(id, list);
      }
    });
    this.passageSlots.clear();
    for (const [id, list] of passageLists) this.passageSlots.set(id, list.sort((a, b) => a[0] - b[0]).map(([, slot]) => slot));
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
