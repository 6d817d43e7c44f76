/**
 * Draws the tray's state icons from the app's own tray image, on this machine: nothing is fetched, and the
 * images are committed in `resources/tray/` so the packaged app just loads them (electron/main/tray.ts).
 *
 * Each state gets the base image with a badge in its lower right corner, told apart by shape as well as colour
 * (for colour-blind analysts and monochrome panels): a red disc with "!" (a problem), a green disc (help
 * waiting), a grey disc with a bar (offline mode), a slate ring (retrieval-only); the base image greyed out while
 * starting; the base image itself when ready with the local model.
 *
 * Run `npx tsx electron/tools/trayIcons.ts` after changing the base image or a badge;
 * test/electron/tools/trayIcons.test.ts fails while the committed images differ from what this draws.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { errorMessage } from '../../core/formats/errorMessage';
import type { TrayIconState } from '../main/tray';

/**
 * The states to draw: tray.ts's `TRAY_ICON_STATES`, repeated because tray.ts imports Electron, which this script
 * (run by Node, not Electron) cannot load; the test checks that the two lists agree.
 */
export const DRAWN_ICON_STATES = ['problem', 'starting', 'waiting', 'offline', 'retrieval-only', 'ready'] as const satisfies readonly TrayIconState[];

/** An RGBA image, 8 bits per channel, rows top to bottom, not premultiplied. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Reads an 8-bit RGBA, non-interlaced PNG (what the app's icons are); anything else is refused, naming `name`. */
export function decodePng(bytes: Uint8Array, name = 'image'): RgbaImage {
  const buffer = Buffer.from(bytes);
  if (!buffer.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`${name} is not a PNG file.`);
  let offset = 8;
  let width = 0;
  let height = 0;
  /** Bytes per pixel: 4 for RGBA (colour type 6), 3 for RGB (colour type 2, as Chromium's screenshots are). */
  let bpp = 4;
  const idat: Buffer[] = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || (colour !== 6 && colour !== 2) || interlace !== 0) {
        throw new Error(`${name}: only 8-bit RGBA or RGB, non-interlaced PNGs are supported (found bit depth ${depth}, colour type ${colour}, interlace ${interlace}). Re-save it as 8-bit RGBA.`);
      }
      bpp = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (width === 0 || idat.length === 0) throw new Error(`${name}: no image header or data in the PNG.`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const data = new Uint8Array(width * height * bpp);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? data[y * stride + x - bpp]! : 0;
      const b = y > 0 ? data[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? data[(y - 1) * stride + x - bpp]! : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`${name}: row ${y} has an unknown PNG filter type ${filter}; the file is damaged.`);
      }
      data[y * stride + x] = (line[x]! + predictor) & 0xff;
    }
  }
  if (bpp === 4) return { width, height, data };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i]!;
    rgba[j + 1] = data[i + 1]!;
    rgba[j + 2] = data[i + 2]!;
    rgba[j + 3] = 255;
  }
  return { width, height, data: rgba };
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** Writes an RGBA image as an 8-bit RGBA PNG. */
export function encodePng(image: RgbaImage): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(image.width, 0);
  header.writeUInt32BE(image.height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const stride = image.width * 4;
  const raw = Buffer.alloc((stride + 1) * image.height);
  for (let y = 0; y < image.height; y++) raw.set(image.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

type Rgba = readonly [number, number, number, number];
/** The colour of a badge at a point given relative to its centre in units of its radius, or null outside it. */
type BadgeShader = (u: number, v: number) => Rgba | null;

const WHITE: Rgba = [255, 255, 255, 255];
const RED: Rgba = [220, 38, 38, 255];
const GREEN: Rgba = [22, 163, 74, 255];
const GREY: Rgba = [107, 114, 128, 255];
const SLATE: Rgba = [71, 85, 105, 255];
/** Beyond the badge's radius, up to this, a white rim keeps it apart from the base image and any panel colour. */
const RIM = 1.25;

function disc(fill: Rgba, mark?: (u: number, v: number) => boolean): BadgeShader {
  return (u, v) => {
    const d = Math.hypot(u, v);
    if (d > RIM) return null;
    if (d > 1) return WHITE;
    return mark?.(u, v) ? WHITE : fill;
  };
}

const BADGES: Partial<Record<TrayIconState, BadgeShader>> = {
  // "!": a bar and a dot.
  problem: disc(RED, (u, v) => (Math.abs(u) < 0.2 && v > -0.65 && v < 0.2) || Math.hypot(u, v - 0.5) < 0.2),
  waiting: disc(GREEN),
  // A bar across: "switched off" from the network.
  offline: disc(GREY, (u, v) => Math.abs(v) < 0.2 && Math.abs(u) < 0.6),
  // A ring: working, but on retrieval alone.
  'retrieval-only': (u, v) => {
    const d = Math.hypot(u, v);
    if (d > RIM) return null;
    if (d > 1) return WHITE;
    return d > 0.5 ? SLATE : WHITE;
  },
};

/** Paints `badge` over `base` in its lower right corner, anti-aliased by 4x4 supersampling. */
function withBadge(base: RgbaImage, badge: BadgeShader): RgbaImage {
  const out = new Uint8Array(base.data);
  const radius = base.width * 0.27;
  const centre = base.width - radius * RIM;
  const samples = 4;
  for (let y = 0; y < base.height; y++) {
    for (let x = 0; x < base.width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = badge((x + (sx + 0.5) / samples - centre) / radius, (y + (sy + 0.5) / samples - centre) / radius);
          if (!colour) continue;
          const alpha = colour[3] / 255;
          r += colour[0] * alpha;
          g += colour[1] * alpha;
          b += colour[2] * alpha;
          a += alpha;
        }
      }
      if (a === 0) continue;
      const coverage = a / (samples * samples);
      const i = (y * base.width + x) * 4;
      // Source-over: the badge (premultiplied average) over the base pixel.
      const baseAlpha = out[i + 3]! / 255;
      const outAlpha = coverage + baseAlpha * (1 - coverage);
      const mix = (badgeSum: number, baseValue: number): number => Math.round((badgeSum / (samples * samples) + baseValue * baseAlpha * (1 - coverage)) / outAlpha);
      out[i] = mix(r, out[i]!);
      out[i + 1] = mix(g, out[i + 1]!);
      out[i + 2] = mix(b, out[i + 2]!);
      out[i + 3] = Math.round(outAlpha * 255);
    }
  }
  return { width: base.width, height: base.height, data: out };
}

/** The base image in grey at 60% opacity: "not ready yet". */
function greyedOut(base: RgbaImage): RgbaImage {
  const out = new Uint8Array(base.data);
  for (let i = 0; i < out.length; i += 4) {
    const luma = Math.round(0.299 * out[i]! + 0.587 * out[i + 1]! + 0.114 * out[i + 2]!);
    out[i] = out[i + 1] = out[i + 2] = luma;
    out[i + 3] = Math.round(out[i + 3]! * 0.6);
  }
  return { width: base.width, height: base.height, data: out };
}

/** The image of one icon state, drawn from the base image. */
export function drawTrayIcon(base: RgbaImage, state: TrayIconState): RgbaImage {
  if (state === 'ready') return { ...base, data: new Uint8Array(base.data) };
  if (state === 'starting') return greyedOut(base);
  return withBadge(base, BADGES[state]!);
}

/**
 * Every state's file name and image: `tray-<state>.png` from the 16 px base, `tray-<state>@2x.png` from the
 * 32 px one.
 */
export function drawTrayIcons(base16: RgbaImage, base32: RgbaImage): Map<string, RgbaImage> {
  const icons = new Map<string, RgbaImage>();
  for (const state of DRAWN_ICON_STATES) {
    icons.set(`tray-${state}.png`, drawTrayIcon(base16, state));
    icons.set(`tray-${state}@2x.png`, drawTrayIcon(base32, state));
  }
  return icons;
}

/** Reads the base images from `resourcesDir` (tray-16.png, tray.png) and draws every state's icon. */
export async function drawTrayIconsFrom(resourcesDir: string): Promise<Map<string, RgbaImage>> {
  const [small, large] = await Promise.all(['tray-16.png', 'tray.png'].map(async (f) => decodePng(await readFile(join(resourcesDir, f)), join(resourcesDir, f))));
  return drawTrayIcons(small!, large!);
}

/** Writes the icons into `<resourcesDir>/tray/`. */
export async function writeTrayIcons(resourcesDir: string): Promise<string[]> {
  const icons = await drawTrayIconsFrom(resourcesDir);
  await mkdir(join(resourcesDir, 'tray'), { recursive: true });
  const written: string[] = [];
  for (const [name, image] of icons) {
    const file = join(resourcesDir, 'tray', name);
    await writeFile(file, encodePng(image));
    written.push(file);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const resources = join(import.meta.dirname, '..', '..', 'resources');
  writeTrayIcons(resources).then(
    (files) => console.log(`Wrote ${files.length} tray icons to ${join(resources, 'tray')}.`),
    (error: unknown) => {
      console.error(`Could not draw the tray icons: ${errorMessage(error)}`);
      process.exitCode = 1;
    },
  );
}
