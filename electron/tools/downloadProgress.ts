/**
 * The download line `npm start` shows while Electron's runtime (about 110 MB) is fetched: from the first moment,
 * not after 30 s as Electron's own downloader does (`@electron/get` waits that long before its progress bar).
 *
 * On a terminal the line is rewritten in place: a bar with the percentage and megabytes when the server says how
 * large the file is, a spinner with the megabytes so far when it does not. In a log (CI, a pipe) a rewritten line
 * would be noise, so a line is printed at every tenth of the file (or every 10 MB when its size is unknown).
 */

/** How far a download has got: bytes so far and, when the server sent a length, the file's size. */
export interface DownloadProgress {
  readonly transferred: number;
  readonly total: number | null;
}

/** Where the line goes: stderr in `npm start`; `isTTY` says whether it may be rewritten in place. */
export interface ProgressTerminal {
  readonly isTTY: boolean;
  write(text: string): void;
}

/** Width of the bar in characters: fits an 80-column terminal beside the file name and the figures. */
const BAR_WIDTH = 24;
/** In a log, one line per this many bytes when the size is unknown (about a tenth of Electron's runtime). */
const LOG_STEP_BYTES = 10 * 1024 * 1024;
const SPINNER = ['|', '/', '-', '\\'] as const;

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** One download's progress on a terminal or in a log; `start`, any number of `update`s, then `finish`. */
export class DownloadProgressView {
  private last = '';
  private frame = 0;
  private spunAt = '';
  private loggedStep = -1;
  private latest: DownloadProgress = { transferred: 0, total: null };

  constructor(
    private readonly terminal: ProgressTerminal,
    /** What is downloaded, e.g. `electron-v45.4.1-linux-x64.zip`. */
    private readonly label: string,
  ) {}

  /** Shows the line before the first byte arrives (while the connection is made). */
  start(): void {
    if (this.terminal.isTTY) this.render(`${this.label}: ${SPINNER[0]} connecting…`);
    else this.terminal.write(`${this.label}: connecting…\n`);
  }

  /** Shows how far the download has got; a call that would not change what is shown writes nothing. */
  update(progress: DownloadProgress): void {
    this.latest = progress;
    if (this.terminal.isTTY) {
      this.render(this.describe(progress));
      return;
    }
    const step = progress.total ? Math.floor((progress.transferred / progress.total) * 10) : Math.floor(progress.transferred / LOG_STEP_BYTES);
    if (step <= this.loggedStep) return;
    this.loggedStep = step;
    this.terminal.write(`${this.describe(progress)}\n`);
  }

  /** Ends the line: the size downloaded, or that it failed. */
  finish(ok: boolean): void {
    const { transferred } = this.latest;
    const text = ok ? `${this.label}: done, ${megabytes(transferred)} MB` : `${this.label}: failed after ${megabytes(transferred)} MB`;
    if (this.terminal.isTTY) this.render(text);
    else this.terminal.write(`${text}\n`);
    if (this.terminal.isTTY) this.terminal.write('\n');
  }

  /** The line for `progress`: a bar with percent and megabytes when the size is known, else a spinner and megabytes. */
  describe(progress: DownloadProgress): string {
    const { transferred, total } = progress;
    if (total && total > 0) {
      const fraction = Math.min(1, transferred / total);
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
      return `${this.label}: ${bar} ${Math.floor(fraction * 100)}% (${megabytes(transferred)} of ${megabytes(total)} MB)`;
    }
    // The size is unknown: a spinner that turns with every tenth of a megabyte shows the download is alive.
    const shown = megabytes(transferred);
    if (shown !== this.spunAt) {
      this.spunAt = shown;
      this.frame++;
    }
    const spin = this.terminal.isTTY ? `${SPINNER[this.frame % SPINNER.length]} ` : '';
    return `${this.label}: ${spin}${shown} MB so far`;
  }

  /** Rewrites the terminal line in place, only when its text changed (a chunk of a few kB usually changes nothing). */
  private render(text: string): void {
    if (text === this.last) return;
    this.last = text;
    this.terminal.write(`\r${text}\x1b[K`);
  }
}
