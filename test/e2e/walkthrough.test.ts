/** The README's walk-through: the main path's screenshots as one looping GIF, frame by frame, in order. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../electron/tools/trayIcons';
import { encodeWalkthrough, WALKTHROUGH_FRAMES } from './walkthrough';

/** A solid `width`×`height` image of one colour. */
function solid(width: number, height: number, rgb: [number, number, number]) {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
  return { width, height, data };
}

describe('the walk-through GIF', () => {
  it('has every frame of the main path, in order, with its delay, looping', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-walk-'));
    const colours: [number, number, number][] = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [200, 200, 30]];
    for (const [i, frame] of WALKTHROUGH_FRAMES.entries()) await writeFile(join(dir, frame.file), encodePng(solid(8, 6, colours[i]!)));
    const gif = Buffer.from(await encodeWalkthrough(dir));
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(gif.readUInt16LE(6)).toBe(8);
    expect(gif.readUInt16LE(8)).toBe(6);
    expect(gif.includes(Buffer.from('NETSCAPE2.0', 'latin1'))).toBe(true);
    // One graphic control extension (21 F9 04) per frame, carrying its delay in hundredths of a second.
    const delays: number[] = [];
    for (let i = gif.indexOf(Buffer.from([0x21, 0xf9, 0x04])); i >= 0; i = gif.indexOf(Buffer.from([0x21, 0xf9, 0x04]), i + 1)) delays.push(gif.readUInt16LE(i + 4));
    expect(delays).toEqual(WALKTHROUGH_FRAMES.map((f) => f.ms / 10));
  });

  it('refuses frames of different sizes, naming the odd one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-walk-'));
    for (const [i, frame] of WALKTHROUGH_FRAMES.entries()) await writeFile(join(dir, frame.file), encodePng(solid(i === 2 ? 9 : 8, 6, [0, 0, 0])));
    await expect(encodeWalkthrough(dir)).rejects.toThrow(/review-queue\.png is 9×6, the walk-through's frames are 8×6/);
  });
});
