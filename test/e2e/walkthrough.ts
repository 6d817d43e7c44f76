/**
 * The README's animated walk-through of the main path, made from the screenshots the browser tests just took in
 * docs/screenshots (`npm run screenshots` runs this after them): help arrives for a ticket in the queue, the
 * ticket with its cited suggestion, the closed ticket's answer waiting in the review queue, and the next
 * customer with that problem getting it. Every frame passed the screenshot check (no error, no test fixture).
 *
 *   npx tsx test/e2e/walkthrough.ts [screenshots folder]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as gifencModule from 'gifenc';
import { decodePng } from '../../electron/tools/trayIcons';

// Bundlers (vitest) load gifenc's ES module, with named exports; Node loads its CommonJS build, whose exports are
// getters Node cannot see as names, so there they are on the default export.
const { applyPalette, GIFEncoder, quantize } = typeof gifencModule.GIFEncoder === 'function' ? gifencModule : gifencModule.default;

/** The frames, in the order an analyst meets them, and how long each stays (long enough to read its text). */
export const WALKTHROUGH_FRAMES = [
  { file: 'desk-toast.png', ms: 2500 },
  { file: 'desk-ticket.png', ms: 4000 },
  { file: 'review-queue.png', ms: 3500 },
  { file: 'desk-learned.png', ms: 4000 },
] as const;

/** Encodes the frames found in `dir` as one looping GIF; every frame must have the first one's size. */
export async function encodeWalkthrough(dir: string): Promise<Uint8Array> {
  const gif = GIFEncoder();
  let size: { width: number; height: number } | null = null;
  for (const frame of WALKTHROUGH_FRAMES) {
    const image = decodePng(await readFile(join(dir, frame.file)), frame.file);
    size ??= { width: image.width, height: image.height };
    if (image.width !== size.width || image.height !== size.height) {
      throw new Error(`${frame.file} is ${image.width}×${image.height}, the walk-through's frames are ${size.width}×${size.height}.`);
    }
    // One palette per frame: the screens differ in colour (a toast, a dark badge), and 256 colours cover each well.
    const palette = quantize(image.data, 256);
    gif.writeFrame(applyPalette(image.data, palette), image.width, image.height, { palette, delay: frame.ms, repeat: 0 });
  }
  gif.finish();
  return gif.bytes();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resolve(process.argv[2] ?? 'docs/screenshots');
  const bytes = await encodeWalkthrough(dir);
  await writeFile(join(dir, 'walkthrough.gif'), bytes);
  process.stdout.write(`walkthrough.gif: ${WALKTHROUGH_FRAMES.length} frames, ${(bytes.length / 1024).toFixed(0)} KB\n`);
}
