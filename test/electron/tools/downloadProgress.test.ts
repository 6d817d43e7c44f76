/** The line `npm start` shows while Electron's runtime downloads: rewritten in place on a terminal, a line per tenth in a log. */
import { describe, expect, it } from 'vitest';
import { DownloadProgressView, type ProgressTerminal } from '../../../electron/tools/downloadProgress';

const MB = 1024 * 1024;

function terminal(isTTY: boolean): ProgressTerminal & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, writes, write: (text) => void writes.push(text) };
}

describe('the download progress line', () => {
  it('on a terminal rewrites one line in place with a bar, the percent and the megabytes', () => {
    const out = terminal(true);
    const view = new DownloadProgressView(out, 'electron.zip');
    view.start();
    view.update({ transferred: 25 * MB, total: 100 * MB });
    view.finish(true);
    expect(out.writes[0]).toBe('\relectron.zip: | connecting…\x1b[K');
    expect(out.writes[1]).toBe('\relectron.zip: [######------------------] 25% (25.0 of 100.0 MB)\x1b[K');
    expect(out.writes.slice(2)).toEqual(['\relectron.zip: done, 25.0 MB\x1b[K', '\n']);
  });

  it('writes nothing for a chunk that changes nothing shown', () => {
    const out = terminal(true);
    const view = new DownloadProgressView(out, 'electron.zip');
    view.update({ transferred: 10 * MB, total: 100 * MB });
    view.update({ transferred: 10 * MB + 4096, total: 100 * MB });
    expect(out.writes).toHaveLength(1);
  });

  it('in a log prints a line at each tenth of the file, not one per chunk', () => {
    const out = terminal(false);
    const view = new DownloadProgressView(out, 'electron.zip');
    view.start();
    for (let bytes = 0; bytes <= 100 * MB; bytes += MB / 4) view.update({ transferred: bytes, total: 100 * MB });
    view.finish(true);
    const percents = out.writes.flatMap((line) => /\] (\d+)%/.exec(line)?.[1] ?? []);
    expect(percents).toEqual(['0', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100']);
    expect(out.writes.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
  });

  it('in a log, with the size unknown, prints the megabytes every 10 MB', () => {
    const out = terminal(false);
    const view = new DownloadProgressView(out, 'electron.zip');
    for (let bytes = 0; bytes <= 25 * MB; bytes += MB) view.update({ transferred: bytes, total: null });
    expect(out.writes).toEqual(['electron.zip: 0.0 MB so far\n', 'electron.zip: 10.0 MB so far\n', 'electron.zip: 20.0 MB so far\n']);
  });
});
