/**
 * An embedder learned on the team's own text, on this machine, with no pretrained weights: word vectors from the
 * positive pointwise mutual information (PPMI) of words co-occurring within a few words of each other, reduced by a
 * truncated SVD (Levy, Goldberg & Dagan, TACL 2015), plus hashed character n-grams for words it has not seen
 * (fastText-style, Bojanowski et al. 2017), so typos and new words still land near their neighbours. A text's
 * vector is the SIF-weighted mean of its words' vectors with the corpus's common component removed (Arora, Liang &
 * Ma, ICLR 2017), unit length.
 *
 * Training is deterministic given the corpus (texts in order) and the options: the random projection of the
 * randomized SVD (Halko, Martinsson & Tropp 2011) is drawn from a seeded generator. The id names a digest of the
 * learned vectors, so a retrained model (a grown store) has a new id and the store re-indexes into a new table.
 *
 * Not wired as a selectable embedder: measured against the built-in hashed embedder by `npm run bench:team-embedder`
 * (BENCHMARKS.md, "An embedder learned on the team's own text"), it did not beat it on the engine's hybrid figures of
 * every set (alone: BANKING77 R@1 0.779 against 0.848; blended with the hashed vector: 0.844 against 0.848), so it
 * stays a measured option until a larger team corpus or another fusion says otherwise.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { tokenize } from '../text/tokenize';
import type { EmbedMode, Embedder } from './embedder';
import { fnv1a } from './hashedEmbedder';
import { normalize } from './vectorMath';

/** How the word vectors are learned and combined. */
export interface TeamEmbedderOptions {
  /** Dimensions of the word and text vectors. */
  dimensions: number;
  /** Words either side that count as context; a pair `d` words apart counts 1/d (as word2vec's dynamic window). */
  window: number;
  /** A word seen fewer times has no vector of its own (its character n-grams still give it one). */
  minCount: number;
  /** The most frequent words kept; bounds memory (vocabulary × dimensions floats) and training time. */
  maxVocabulary: number;
  /** Context-distribution smoothing of PMI (0.75 in Levy et al.: lowers the PMI of rare contexts). */
  contextSmoothing: number;
  /** Word vector = U·Σ^p; p = 0.5 symmetric weighting (Levy et al.). */
  eigenWeight: number;
  /** Extra power iterations of the randomized SVD: sharper leading directions for a few more passes. */
  powerIterations: number;
  /** Extra random directions beyond `dimensions` in the randomized SVD. */
  oversample: number;
  /** Hash buckets for character n-grams of unseen words. */
  subwordBuckets: number;
  minCharGram: number;
  maxCharGram: number;
  /** SIF weight a/(a + p(word)): frequent words count less. 1e-3 as in Arora et al. */
  sifA: number;
  /** Seed of the random projection. */
  seed: number;
}

/**
 * The literature's defaults (window 5 with 1/d weights, context smoothing 0.75, Σ^0.5, SIF a = 1e-3: Levy et al.
 * 2015, Arora et al. 2017), not fitted here. 256 dimensions rather than 128: 128 trained 2-5 times faster, and its
 * vector leg alone was better on BANKING77 but worse on the two sets of long text (fit parts, exact cosine over whole
 * entries, up to 600 queries: R@1 BANKING77 0.758 against 0.743 at 256, ABCD 0.212 against 0.273, DSTC11 0.043
 * against 0.048).
 */
export const DEFAULT_TEAM_OPTIONS: TeamEmbedderOptions = {
  dimensions: 256,
  window: 5,
  minCount: 2,
  maxVocabulary: 30_000,
  contextSmoothing: 0.75,
  eigenWeight: 0.5,
  powerIterations: 2,
  oversample: 16,
  subwordBuckets: 1 << 15,
  minCharGram: 3,
  maxCharGram: 5,
  sifA: 1e-3,
  seed: 16,
};

/** Everything a trained model is: what is written to its file and read back. */
interface TeamModel {
  options: TeamEmbedderOptions;
  vocabulary: string[];
  /** Occurrences of each vocabulary word in the training text (SIF weights). */
  counts: number[];
  totalTokens: number;
  /** Unit-length word vectors, vocabulary × dimensions, row-major. */
  vectors: Float32Array;
  /** The common component removed from every text vector (unit length, or zeros). */
  common: Float32Array;
}

const MAGIC = 'VGTEAMv1';
const ID_PREFIX = 'team-ppmi-v1';

/** Seeded xorshift128+ mapped to standard normals (Box-Muller): the SVD's random projection, reproducible. */
function gaussianSource(seed: number): () => number {
  let s0 = (seed ^ 0x9e3779b9) >>> 0 || 1;
  let s1 = Math.imul(seed + 1, 0x85ebca6b) >>> 0 || 2;
  const uniform = (): number => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return ((s0 + s1) >>> 0) / 4294967296;
  };
  return () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

/** Sparse matrix, compressed rows. */
interface Csr {
  rows: number;
  cols: number;
  rowStart: Int32Array;
  col: Int32Array;
  value: Float32Array;
}

/** Y = A·X, X cols × l row-major, Y rows × l. */
function multiply(a: Csr, x: Float64Array, l: number): Float64Array {
  const y = new Float64Array(a.rows * l);
  for (let i = 0; i < a.rows; i++) {
    const yo = i * l;
    for (let p = a.rowStart[i]!; p < a.rowStart[i + 1]!; p++) {
      const v = a.value[p]!;
      const xo = a.col[p]! * l;
      for (let c = 0; c < l; c++) y[yo + c]! += v * x[xo + c]!;
    }
  }
  return y;
}

/** Z = Aᵀ·Q, Q rows × l row-major, Z cols × l. */
function multiplyTransposed(a: Csr, q: Float64Array, l: number): Float64Array {
  const z = new Float64Array(a.cols * l);
  for (let i = 0; i < a.rows; i++) {
    const qo = i * l;
    for (let p = a.rowStart[i]!; p < a.rowStart[i + 1]!; p++) {
      const v = a.value[p]!;
      const zo = a.col[p]! * l;
      for (let c = 0; c < l; c++) z[zo + c]! += v * q[qo + c]!;
    }
  }
  return z;
}

/** G = YᵀY (l × l, full), Y n × l row-major. */
function gram(y: Float64Array, n: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    const o = i * l;
    for (let r = 0; r < l; r++) {
      const v = y[o + r]!;
      if (v === 0) continue;
      const go = r * l;
      for (let c = r; c < l; c++) g[go + c]! += v * y[o + c]!;
    }
  }
  for (let r = 0; r < l; r++) for (let c = 0; c < r; c++) g[r * l + c] = g[c * l + r]!;
  return g;
}

/**
 * Orthonormal columns spanning Y's, in place: Cholesky QR twice (CholeskyQR2, Fukaya et al. 2014), which is stable
 * enough for the power iterations' ill-conditioned blocks; a tiny ridge keeps a rank-deficient block (a small
 * corpus) factorable. Row-major n × l.
 */
function orthonormalize(y: Float64Array, n: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    const g = gram(y, n, l);
    let trace = 0;
    for (let r = 0; r < l; r++) trace += g[r * l + r]!;
    const ridge = Math.max(1e-300, (trace / l) * 1e-10);
    // Cholesky: G = L Lᵀ, L lower, in place of g.
    for (let j = 0; j < l; j++) {
      let d = g[j * l + j]! + ridge;
      for (let k = 0; k < j; k++) d -= g[j * l + k]! ** 2;
      d = Math.sqrt(Math.max(d, ridge));
      g[j * l + j] = d;
      for (let i = j + 1; i < l; i++) {
        let s = g[i * l + j]!;
        for (let k = 0; k < j; k++) s -= g[i * l + k]! * g[j * l + k]!;
        g[i * l + j] = s / d;
      }
    }
    // Each row: q = y L⁻ᵀ, i.e. solve L qᵀ = yᵀ (forward substitution).
    const row = new Float64Array(l);
    for (let i = 0; i < n; i++) {
      const o = i * l;
      for (let j = 0; j < l; j++) {
        let s = y[o + j]!;
        for (let k = 0; k < j; k++) s -= g[j * l + k]! * row[k]!;
        row[j] = s / g[j * l + j]!;
      }
      y.set(row, o);
    }
  }
}

/** Eigen-decomposition of a symmetric l × l matrix by cyclic Jacobi: eigenvalues, and eigenvectors as columns. */
function symmetricEigen(input: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(input);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let total = 0;
    for (let p = 0; p < l; p++) {
      for (let q = 0; q < l; q++) {
        const x = a[p * l + q]! ** 2;
        total += x;
        if (p !== q) off += x;
      }
    }
    if (off <= 1e-22 * total || off === 0) break;
    for (let p = 0; p < l - 1; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * l + q]! - a[p * l + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p]!;
          const akq = a[k * l + q]!;
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k]!;
          const aqk = a[q * l + k]!;
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p]!;
          const vkq = v[k * l + q]!;
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(l);
  for (let i = 0; i < l; i++) values[i] = a[i * l + i]!;
  return { values, vectors: v };
}

/** The positive PMI matrix of word pairs within `window` words, over the vocabulary. */
function ppmiMatrix(docs: readonly Int32Array[], size: number, o: TeamEmbedderOptions): Csr {
  // Co-occurrence counts, one map per row (keys are column ids): a pair `d` apart adds 1/d, both ways.
  const rows: Map<number, number>[] = Array.from({ length: size }, () => new Map<number, number>());
  for (const doc of docs) {
    for (let i = 0; i < doc.length; i++) {
      const w = doc[i]!;
      if (w < 0) continue;
      for (let d = 1; d <= o.window && i + d < doc.length; d++) {
        const c = doc[i + d]!;
        if (c < 0) continue;
        const weight = 1 / d;
        const rw = rows[w]!;
        rw.set(c, (rw.get(c) ?? 0) + weight);
        const rc = rows[c]!;
        rc.set(w, (rc.get(w) ?? 0) + weight);
      }
    }
  }
  const rowSum = new Float64Array(size);
  const colSum = new Float64Array(size);
  for (let w = 0; w < size; w++) {
    for (const [c, x] of rows[w]!) {
      rowSum[w]! += x;
      colSum[c]! += x;
    }
  }
  let smoothedTotal = 0;
  const smoothed = new Float64Array(size);
  for (let c = 0; c < size; c++) {
    smoothed[c] = colSum[c]! ** o.contextSmoothing;
    smoothedTotal += smoothed[c]!;
  }
  const rowStart = new Int32Array(size + 1);
  const cols: number[] = [];
  const values: number[] = [];
  for (let w = 0; w < size; w++) {
    const entries = [...rows[w]!].sort((x, y) => x[0] - y[0]);
    for (const [c, x] of entries) {
      // PMI_α(w, c) = log( P(w, c) / (P(w) · P_α(c)) ), kept when positive.
      const pmi = Math.log((x * smoothedTotal) / (rowSum[w]! * smoothed[c]!));
      if (pmi > 0) {
        cols.push(c);
        values.push(pmi);
      }
    }
    rowStart[w + 1] = cols.length;
    rows[w] = new Map(); // free as we go: the counts dominate training memory
  }
  return { rows: size, cols: size, rowStart, col: Int32Array.from(cols), value: Float32Array.from(values) };
}

/** Rank-k left singular vectors and values of A by randomized SVD with power iterations. */
function truncatedSvd(a: Csr, k: number, o: TeamEmbedderOptions): { u: Float64Array; sigma: Float64Array; k: number } {
  const n = a.rows;
  const l = Math.min(n, k + o.oversample);
  const rank = Math.min(k, l);
  const gauss = gaussianSource(o.seed);
  const omega = new Float64Array(a.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = gauss();
  let q = multiply(a, omega, l);
  orthonormalize(q, n, l);
  for (let it = 0; it < o.powerIterations; it++) {
    const z = multiplyTransposed(a, q, l);
    orthonormalize(z, a.cols, l);
    q = multiply(a, z, l);
    orthonormalize(q, n, l);
  }
  // A ≈ Q B with B = QᵀA; B Bᵀ = ZᵀZ for Z = AᵀQ; its eigenvectors W give A's left singular vectors U = Q W.
  const z = multiplyTransposed(a, q, l);
  const { values, vectors } = symmetricEigen(gram(z, a.cols, l), l);
  const order = Array.from({ length: l }, (_, i) => i).sort((x, y) => values[y]! - values[x]!);
  const sigma = new Float64Array(rank);
  const u = new Float64Array(n * rank);
  for (let j = 0; j < rank; j++) {
    const e = order[j]!;
    sigma[j] = Math.sqrt(Math.max(0, values[e]!));
    // Sign convention: the largest-magnitude component positive, so the result does not hinge on the solver's signs.
    let best = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let r = 0; r < l; r++) s += q[i * l + r]! * vectors[r * l + e]!;
      u[i * rank + j] = s;
      if (Math.abs(s) > Math.abs(best)) best = s;
    }
    if (best < 0) for (let i = 0; i < n; i++) u[i * rank + j] = -u[i * rank + j]!;
  }
  return { u, sigma, k: rank };
}

function charGrams(word: string, o: TeamEmbedderOptions): string[] {
  const padded = `<${word}>`;
  const grams: string[] = [];
  for (let n = o.minCharGram; n <= o.maxCharGram; n++) for (let j = 0; j + n <= padded.length; j++) grams.push(padded.slice(j, j + n));
  return grams;
}

/**
 * The trained model as an `Embedder`. Build one with `TeamEmbedder.train` (the team's texts) or `TeamEmbedder.load`
 * (a file written by `save`).
 */
export class TeamEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly index: Map<string, number>;
  private readonly weights: Float32Array;
  /** Mean word vector of each character n-gram bucket (from the vocabulary), for unseen words. */
  private readonly buckets: Float32Array;
  private readonly bucketUsed: Uint8Array;
  private readonly unseen = new Map<string, Float32Array | null>();

  private constructor(private readonly model: TeamModel) {
    const o = model.options;
    this.dimensions = o.dimensions;
    this.index = new Map(model.vocabulary.map((w, i) => [w, i]));
    this.weights = Float32Array.from(model.counts, (c) => o.sifA / (o.sifA + c / Math.max(1, model.totalTokens)));
    const d = o.dimensions;
    const sums = new Float64Array(o.subwordBuckets * d);
    const counts = new Uint32Array(o.subwordBuckets);
    model.vocabulary.forEach((word, w) => {
      for (const gram of charGrams(word, o)) {
        const b = fnv1a(gram) % o.subwordBuckets;
        counts[b]!++;
        for (let j = 0; j < d; j++) sums[b * d + j]! += model.vectors[w * d + j]!;
      }
    });
    this.buckets = new Float32Array(o.subwordBuckets * d);
    this.bucketUsed = new Uint8Array(o.subwordBuckets);
    for (let b = 0; b < o.subwordBuckets; b++) {
      if (counts[b] === 0) continue;
      this.bucketUsed[b] = 1;
      for (let j = 0; j < d; j++) this.buckets[b * d + j] = sums[b * d + j]! / counts[b]!;
    }
    this.id = `${ID_PREFIX}:${d}:${digestOf(model)}`;
  }

  /** Learns word vectors from `texts` (the team's entries and tickets). Deterministic given the texts and options. */
  static train(texts: Iterable<string>, options: Partial<TeamEmbedderOptions> = {}): TeamEmbedder {
    const o = { ...DEFAULT_TEAM_OPTIONS, ...options };
    const tokenized: string[][] = [];
    const frequency = new Map<string, number>();
    let totalTokens = 0;
    for (const text of texts) {
      const words = tokenize(text);
      tokenized.push(words);
      totalTokens += words.length;
      for (const w of words) frequency.set(w, (frequency.get(w) ?? 0) + 1);
    }
    const vocabulary = [...frequency]
      .filter(([, c]) => c >= o.minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, o.maxVocabulary)
      .map(([w]) => w);
    const index = new Map(vocabulary.map((w, i) => [w, i]));
    const docs = tokenized.map((words) => Int32Array.from(words, (w) => index.get(w) ?? -1));
    const d = o.dimensions;
    const vectors = new Float32Array(vocabulary.length * d);
    if (vocabulary.length > 0) {
      const svd = truncatedSvd(ppmiMatrix(docs, vocabulary.length, o), d, o);
      for (let w = 0; w < vocabulary.length; w++) {
        const row = vectors.subarray(w * d, (w + 1) * d);
        for (let j = 0; j < svd.k; j++) row[j] = svd.u[w * svd.k + j]! * svd.sigma[j]! ** o.eigenWeight;
        normalize(row);
      }
    }
    const counts = vocabulary.map((w) => frequency.get(w) ?? 0);
    const draft = new TeamEmbedder({ options: o, vocabulary, counts, totalTokens, vectors, common: new Float32Array(d) });
    // The common component: the first principal direction of the training texts' vectors (power iteration).
    const common = firstDirection(tokenized.map((words) => draft.meanVector(words)).filter((v): v is Float32Array => v !== null), d, o.seed);
    return new TeamEmbedder({ options: o, vocabulary, counts, totalTokens, vectors, common });
  }

  /** Reads a model written by `save`; a damaged or foreign file is refused with its path in the message. */
  static async load(file: string): Promise<TeamEmbedder> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new Error(`Cannot read the team embedder file ${file}: ${errorMessage(err)}`);
    }
    return TeamEmbedder.fromBytes(bytes, file);
  }

  /** Parses the bytes of a model file; `file` names it in errors. */
  static fromBytes(bytes: Uint8Array, file: string): TeamEmbedder {
    const fail = (why: string): never => {
      throw new Error(`${file} is not a usable team embedder file: ${why}. Retrain it (it is rebuilt from the knowledge).`);
    };
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.length < 12 || view.toString('latin1', 0, 8) !== MAGIC) fail('it does not start with the team embedder signature');
    const headerLength = view.readUInt32LE(8);
    if (12 + headerLength > view.length) fail('it is cut short (header)');
    let json: unknown;
    try {
      json = JSON.parse(view.toString('utf8', 12, 12 + headerLength));
    } catch (err) {
      return fail(`its header is not JSON (${errorMessage(err)})`);
    }
    const parsed = HeaderSchema.safeParse(json);
    if (!parsed.success) return fail(`its header is invalid (${parsed.error.issues.map((i) => `${i.path.join('.') || 'header'}: ${i.message}`).join('; ')})`);
    const header = parsed.data;
    const d = header.options.dimensions;
    const start = align4(12 + headerLength);
    const floats = (header.vocabulary.length + 1) * d;
    if (view.length !== start + floats * 4) fail(`it holds ${view.length} bytes where ${start + floats * 4} were expected`);
    if (header.counts.length !== header.vocabulary.length) fail('its word counts do not match its vocabulary');
    const data = new Float32Array(floats);
    for (let i = 0; i < floats; i++) data[i] = view.readFloatLE(start + i * 4);
    const embedder = new TeamEmbedder({
      options: header.options,
      vocabulary: header.vocabulary,
      counts: header.counts,
      totalTokens: header.totalTokens,
      vectors: data.subarray(0, header.vocabulary.length * d),
      common: data.subarray(header.vocabulary.length * d),
    });
    if (embedder.id !== header.id) fail(`its vectors do not match its id ${header.id} (the file was altered or damaged)`);
    return embedder;
  }

  /** The model file's bytes: signature, header length, JSON header, then little-endian float32 vectors. */
  toBytes(): Buffer {
    const m = this.model;
    const header = Buffer.from(
      JSON.stringify({ format: 1, id: this.id, options: m.options, vocabulary: m.vocabulary, counts: m.counts, totalTokens: m.totalTokens }),
      'utf8',
    );
    const start = align4(12 + header.length);
    const out = Buffer.alloc(start + (m.vectors.length + m.common.length) * 4, 0x20);
    out.write(MAGIC, 0, 'latin1');
    out.writeUInt32LE(header.length, 8);
    header.copy(out, 12);
    let at = start;
    for (const array of [m.vectors, m.common]) {
      for (let i = 0; i < array.length; i++, at += 4) out.writeFloatLE(array[i]!, at);
    }
    return out;
  }

  /** Writes the model to `file`, replacing any earlier one atomically (a crash leaves the old or the new model). */
  async save(file: string): Promise<void> {
    await writeFileAtomic(file, this.toBytes());
  }

  /** Words with a vector of their own. */
  get vocabularySize(): number {
    return this.model.vocabulary.length;
  }

  /** Queries and documents are embedded alike. */
  async embed(texts: readonly string[], _mode: EmbedMode): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  /** Synchronous form, for callers that embed in a hot loop. */
  embedOne(text: string): Float32Array {
    const v = this.meanVector(tokenize(text)) ?? new Float32Array(this.dimensions);
    const common = this.model.common;
    let projection = 0;
    for (let j = 0; j < v.length; j++) projection += v[j]! * common[j]!;
    for (let j = 0; j < v.length; j++) v[j] = v[j]! - projection * common[j]!;
    return normalize(v);
  }

  /** The vector of one word: its own, or its character n-grams' mean for an unseen word; null when nothing is known. */
  wordVector(word: string): Float32Array | null {
    const d = this.dimensions;
    const w = this.index.get(word);
    if (w !== undefined) return this.model.vectors.subarray(w * d, (w + 1) * d);
    const cached = this.unseen.get(word);
    if (cached !== undefined) return cached;
    const o = this.model.options;
    const v = new Float32Array(d);
    let used = 0;
    for (const gram of charGrams(word, o)) {
      const b = fnv1a(gram) % o.subwordBuckets;
      if (!this.bucketUsed[b]) continue;
      used++;
      for (let j = 0; j < d; j++) v[j]! += this.buckets[b * d + j]!;
    }
    const result = used > 0 ? normalize(v) : null;
    if (this.unseen.size > 50_000) this.unseen.clear();
    this.unseen.set(word, result);
    return result;
  }

  /** SIF-weighted mean of the words' vectors (before the common component is removed); null when none has one. */
  private meanVector(words: readonly string[]): Float32Array | null {
    const d = this.dimensions;
    const sum = new Float32Array(d);
    let n = 0;
    for (const word of words) {
      const vector = this.wordVector(word);
      if (!vector) continue;
      const w = this.index.get(word);
      // An unseen word is rarer than any vocabulary word: the SIF weight of a count of 1.
      const weight = w !== undefined ? this.weights[w]! : this.model.options.sifA / (this.model.options.sifA + 1 / Math.max(1, this.model.totalTokens));
      for (let j = 0; j < d; j++) sum[j]! += weight * vector[j]!;
      n++;
    }
    if (n === 0) return null;
    for (let j = 0; j < d; j++) sum[j] = sum[j]! / n;
    return sum;
  }
}

const HeaderSchema = z.object({
  format: z.literal(1),
  id: z.string().startsWith(`${ID_PREFIX}:`),
  options: z.strictObject({
    dimensions: z.number().int().min(1).max(4096),
    window: z.number().int().min(1),
    minCount: z.number().int().min(1),
    maxVocabulary: z.number().int().min(1),
    contextSmoothing: z.number().positive(),
    eigenWeight: z.number().min(0),
    powerIterations: z.number().int().min(0),
    oversample: z.number().int().min(0),
    subwordBuckets: z.number().int().min(1).max(1 << 22),
    minCharGram: z.number().int().min(1),
    maxCharGram: z.number().int().min(1),
    sifA: z.number().positive(),
    seed: z.number().int(),
  }),
  vocabulary: z.array(z.string()),
  counts: z.array(z.number().int().min(0)),
  totalTokens: z.number().int().min(0),
});

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** A digest of everything that decides the vectors: 12 hex digits of SHA-256. */
function digestOf(model: TeamModel): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ options: model.options, vocabulary: model.vocabulary, counts: model.counts, totalTokens: model.totalTokens }));
  hash.update(new Uint8Array(model.vectors.buffer, model.vectors.byteOffset, model.vectors.byteLength));
  hash.update(new Uint8Array(model.common.buffer, model.common.byteOffset, model.common.byteLength));
  return hash.digest('hex').slice(0, 12);
}

/** First principal direction (uncentred, as in SIF) of `rows` by power iteration; zeros when there are none. */
function firstDirection(rows: readonly Float32Array[], d: number, seed: number): Float32Array {
  const v = new Float32Array(d);
  if (rows.length === 0) return v;
  const gauss = gaussianSource(seed + 1);
  for (let j = 0; j < d; j++) v[j] = gauss();
  normalize(v);
  for (let it = 0; it < 30; it++) {
    const next = new Float32Array(d);
    for (const r of rows) {
      let s = 0;
      for (let j = 0; j < d; j++) s += r[j]! * v[j]!;
      for (let j = 0; j < d; j++) next[j]! += s * r[j]!;
    }
    normalize(next);
    v.set(next);
  }
  return v;
}
