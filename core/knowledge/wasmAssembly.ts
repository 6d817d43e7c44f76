/**
 * What the hand-assembled WebAssembly kernels (int8Kernel.ts, signCodes.ts) share: the binary format's pieces (the
 * module header, a section, a name, LEB128 lengths), the instructions both use, and the slice of the WebAssembly JS
 * API they call. The project ships no WebAssembly toolchain; each kernel's tests check it against a JS loop.
 */

/** A WebAssembly memory page. */
export const PAGE = 65536;

/** The module header: magic number and version 1. */
export const WASM_HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** The SIMD instruction prefix. */
export const SIMD = 0xfd;
/** i32.add */
export const ADD = 0x6a;
/** local.get */
export const get = (i: number): number[] => [0x20, i];
/** local.set */
export const set = (i: number): number[] => [0x21, i];
/** local.tee */
export const tee = (i: number): number[] => [0x22, i];
/** i32.const: small non-negative constants only (< 64, one LEB128 byte). */
export const i32 = (n: number): number[] => [0x41, n];
/** i32x4.extract_lane */
export const lane = (n: number): number[] => [SIMD, 0x1b, n];

/**
 * The end of a row loop both kernels close the same way: out[i] = the sum of the four i32 lanes of `acc`, i += 1,
 * back to the row loop; then the ends of that loop, of the block around it, and of the function. Locals by index.
 */
export function storeLaneSumThenNextRow(out: number, i: number, acc: number): number[] {
  return [
    ...get(out), ...get(i), ...i32(2), 0x74, ADD, // &out[i]
    ...get(acc), ...lane(0), ...get(acc), ...lane(1), ADD, ...get(acc), ...lane(2), ADD, ...get(acc), ...lane(3), ADD,
    0x36, 0x02, 0x00, // i32.store align=4
    ...get(i), ...i32(1), ADD, ...set(i),
    0x0c, 0x00, // br $rows
    0x0b, // end $rows
    0x0b, // end $done
    0x0b, // end function
  ];
}

/** An unsigned LEB128 number, as the binary format writes lengths and counts. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** A section: its id, its length, its content. */
export const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];

/** A name (an export's), length first. */
export const wasmName = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

/** The memory a module exports. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * The slice of the WebAssembly JS API used here. Core's tsconfig has no DOM library, which is where TypeScript
 * declares it; Node has it as a global.
 */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/** This runtime's WebAssembly, if it has one. */
export const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
