/**
 * The contract every embedding backend implements (built-in, transformers.js, Ollama). The knowledge store
 * records `id` and `dimensions` with each table so vectors from different embedders are never mixed.
 */

/** Whether a text is a search query or a stored document; some models prefix the two differently. */
export type EmbedMode = 'query' | 'document';

export interface Embedder {
  /**
   * Stable identifier, stored with the table: it changes whenever the vectors would (`builtin-hash-v1:512:…`;
   * `all-minilm-l6-v2@3f2a9c0d1e4b` and `nomic-embed-text@…`, a manifest id and a fingerprint of the model's files or
   * Ollama digest, pooling and prefixes).
   */
  readonly id: string;
  readonly dimensions: number;
  /** Unit-length vectors, one per text, in input order. */
  embed(texts: readonly string[], mode: EmbedMode): Promise<Float32Array[]>;
  /** Longest input in the model's own tokens; longer texts are truncated. Absent: no limit. */
  readonly maxInputTokens?: number;
  /** Releases what the embedder holds (an ONNX Runtime session, sockets). Absent: nothing to release. */
  close?(): Promise<void>;
}
