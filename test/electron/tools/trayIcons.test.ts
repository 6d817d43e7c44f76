/** The tray's state icons: drawn here from the app's own image, committed, and each state's distinct. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { TRAY_ICON_STATES } from '../../../electron/main/tray';
import { decodePng, DRAWN_ICON_STATES, drawTrayIconsFrom, encodePng, type RgbaImage } from '../../../electron/tools/trayIcons';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const resources = join(import.meta.dirname, '..', '..', '..', 'resources');

/** How many pixels differ between two images of the same size. */
function differingPixels(a: RgbaImage, b: RgbaImage): number {
  let count = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2] || a.data[i + 3] !== b.data[i + 3]) count++;
  }
  return count;
}

describe('the tray icons', () => {
  it('draws every state the tray can show', () => {
    expect([...DRAWN_ICON_STATES].sort()).toEqual([...TRAY_ICON_STATES].sort());
  });

  it('are committed exactly as the generator draws them, at 16 and 32 px (run `npx tsx electron/tools/trayIcons.ts` when not)', async () => {
    const drawn = await drawTrayIconsFrom(resources);
    expect(drawn.size).toBe(TRAY_ICON_STATES.length * 2);
    for (const [name, image] of drawn) {
      const committed = decodePng(await readFile(join(resources, 'tray', name)), name);
      expect({ name, width: committed.width, height: committed.height }).toEqual({ name, width: name.includes('@2x') ? 32 : 16, height: name.includes('@2x') ? 32 : 16 });
      expect(differingPixels(committed, image), name).toBe(0);
    }
  });

  it('look different for every state, at both sizes', async () => {
    const drawn = await drawTrayIconsFrom(resources);
    for (const suffix of ['', '@2x']) {
      for (const a of TRAY_ICON_STATES) {
        for (const b of TRAY_ICON_STATES) {
          if (a >= b) continue;
          const pixels = differingPixels(drawn.get(`tray-${a}${suffix}.png`)!, drawn.get(`tray-${b}${suffix}.png`)!);
          // At least a tenth of the badge corner (a 16 px icon's badge covers about 40 pixels).
          expect(pixels, `${a} vs ${b}${suffix}`).toBeGreaterThan(suffix ? 40 : 10);
        }
      }
    }
  });

  it('marks a problem in red and help waiting in green, in the lower right corner', async () => {
    const drawn = await drawTrayIconsFrom(resources);
    const at = (name: string, x: number, y: number): [number, number, number, number] => {
      const [r = 0, g = 0, b = 0, a = 0] = drawn.get(name)!.data.subarray((y * 32 + x) * 4, (y * 32 + x) * 4 + 4);
      return [r, g, b, a];
    };
    // The badge is centred near (21, 21); the "!" is white, so look left of it.
    const [r, g, b] = at('tray-problem@2x.png', 17, 21);
    expect(r).toBeGreaterThan(180);
    expect(g + b).toBeLessThan(120);
    const [wr, wg, wb] = at('tray-waiting@2x.png', 21, 21);
    expect(wg).toBeGreaterThan(wr + 80);
    expect(wg).toBeGreaterThan(wb + 40);
    // The top left corner is the app's own image, untouched.
    expect(at('tray-problem@2x.png', 8, 8)).toEqual(at('tray-ready@2x.png', 8, 8));
  });

  it('reads back what it writes, and refuses a file that is not a PNG, naming it', async () => {
    const image = decodePng(await readFile(join(resources, 'tray.png')), 'tray.png');
    expect(differingPixels(decodePng(encodePng(image)), image)).toBe(0);
    expect(() => decodePng(Buffer.from('GIF89a...'), 'resources/tray.gif')).toThrow('resources/tray.gif is not a PNG file.');
  });
});
