/** "1 entry", "2 entries", "0 events": a count with its noun in the number it needs, for messages users read. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
