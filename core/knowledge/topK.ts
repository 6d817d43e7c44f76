/**
 * A bounded min-heap keeping the `k` best (score, slot) pairs: the scans of vectorIndex.ts keep their best rows
 * (and a partitioned search its nearest lists) in it without sorting every score.
 */
export class TopK {
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

  /** Keeps the pair if the heap is not full yet or it beats the lowest score kept. */
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
