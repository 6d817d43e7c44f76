import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { ConnectorError, type TicketEvent } from '../../../core/connectors/connector';
import { backoffDelay, retryDelay } from '../../../core/watch/backoff';
import type { EventSink } from '../../../core/watch/eventSink';
import type { ConnectorHealth } from '../../../core/connectors/connector';
import { Watcher } from '../../../core/watch/watcher';
import { event, ScriptedSource, type Fault } from './scriptedSource';

const FAST = { baseMs: 1, maxMs: 4 };

/** Records what it is given; can be told to fail its next deliveries. */
class RecordingSink implements EventSink {
  readonly delivered: string[] = [];
  failNext = 0;
  async deliver(_connectorId: string, events: readonly TicketEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('disk full');
    }
    this.delivered.push(...events.map((e) => e.id));
  }
}

async function setup(source: ScriptedSource, sink: EventSink = new RecordingSink(), dataDir?: string) {
  const dir = dataDir ?? (await tempFolder('vigil-watch-'));
  const healths: ConnectorHealth[] = [];
  const watcher = await Watcher.open({
    dataDir: dir,
    sink,
    connectors: [{ connector: source, pollMs: 10 }],
    backoff: FAST,
    fetchTimeoutMs: 200,
    deliveryBatch: 3,
    onHealth: (h) => healths.push(h),
    redact: (text) => text.replaceAll('s3cr3t-token', '[secret]'),
  });
  return { dir, watcher, healths };
}

/** Each error once, in the order they happened. */
function distinctErrors(healths: readonly ConnectorHealth[]): string[] {
  const errors: string[] = [];
  for (const h of healths) if (h.lastError !== null && h.lastError !== errors.at(-1)) errors.push(h.lastError);
  return errors;
}

const range = (n: number, from = 1): TicketEvent[] => Array.from({ length: n }, (_, i) => event(from + i));

describe('the watcher', () => {
  it('pages through a source and stores each cursor only after the sink committed the page', async () => {
    const source = new ScriptedSource('src', range(10), 4);
    const sink = new RecordingSink();
    const { dir, watcher, healths } = await setup(source, sink);

    sink.failNext = 1;
    await expect(watcher.syncPage('src')).rejects.toThrow('disk full');
    const stateFile = join(dir, 'watch', 'src', 'state.json');
    await expect(readFile(stateFile, 'utf8')).rejects.toThrow(); // no cursor stored for an uncommitted page

    expect(await watcher.catchUp('src')).toBe(10);
    expect(sink.delivered).toEqual(range(10).map((e) => e.id));
    expect(source.cursorsSeen).toEqual([null, null, '4', '8']);
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({ cursor: '10', delivered: 10 });
    // The backlog the source reported was shown while paging, and is zero once caught up.
    expect(healths.some((h) => h.backlog >= 6)).toBe(true);
    const [health] = watcher.health();
    expect(health).toMatchObject({ state: 'idle', backlog: 0, delivered: 10, lastError: null });
    expect(health!.lagMs).not.toBeNull();
  });

  it('drops duplicates within a page, across pages and after a restart', async () => {
    const dup = event(2);
    const source = new ScriptedSource('src', [...range(3), dup, event(4)], 10, new Map([[1, { kind: 'extra', items: [event(1)] }]]));
    const sink = new RecordingSink();
    const { dir, watcher } = await setup(source, sink);
    await watcher.catchUp('src');
    expect(sink.delivered).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(watcher.health()[0]!.duplicatesDropped).toBe(2);

    // A new process, and a source that re-sends an overlapping window: only the new event is delivered.
    const overlapping = new ScriptedSource('src', [...range(3), dup, event(4), event(5)], 10);
    overlapping.overlap = 4;
    const sink2 = new RecordingSink();
    const second = await setup(overlapping, sink2, dir);
    await second.watcher.catchUp('src');
    expect(overlapping.cursorsSeen).toEqual(['5']); // resumed from the stored cursor
    expect(sink2.delivered).toEqual(['e5']);
    expect(second.watcher.health()[0]!.duplicatesDropped).toBe(4);
  });

  it('survives 500s, a hung server, a failure mid-page and malformed items, and reports each in plain words', async () => {
    const faults = new Map<number, Fault>([
      [1, { kind: 'error', error: new ConnectorError('The helpdesk answered 500 Internal Server Error.', 'unavailable') }],
      [2, { kind: 'hang' }],
      [3, { kind: 'error', error: new ConnectorError('The connection was reset in the middle of a page.', 'network') }],
      [4, { kind: 'extra', items: [{ id: 'bad-1', type: 'message_added', ticketId: 'src:T-9', at: 'yesterday', ticket: event(9).ticket }, { nonsense: true }] }],
    ]);
    const source = new ScriptedSource('src', range(6), 3, faults);
    const sink = new RecordingSink();
    const { watcher, healths } = await setup(source, sink);
    expect(await watcher.catchUp('src')).toBe(6);
    expect(sink.delivered).toEqual(range(6).map((e) => e.id));

    const errors = distinctErrors(healths);
    expect(errors[0]).toMatch(/^The helpdesk answered 500 Internal Server Error\. Retrying in [\d.]+ s \(attempt 2\)\.$/);
    expect(errors[1]).toMatch(/^The source did not answer within 0 s\./);
    expect(errors[2]).toMatch(/reset in the middle of a page/);
    const health = watcher.health()[0]!;
    expect(health.lastError).toBeNull(); // cleared by the success that followed
    expect(health.invalidDropped).toBe(2);
    expect(health.issues).toEqual([
      'src: event 4 of a page (bad-1): at: must be an ISO 8601 time; skipped',
      expect.stringMatching(/^src: event 5 of a page: id: /),
    ]);
  });

  it('waits as long as a rate-limited source asks, and keeps secrets out of its errors', async () => {
    const faults = new Map<number, Fault>([
      [1, { kind: 'error', error: new ConnectorError('429 Too Many Requests', 'rate_limited', 30) }],
      [2, { kind: 'error', error: new Error('auth failed for token s3cr3t-token') }],
    ]);
    const { watcher, healths } = await setup(new ScriptedSource('src', range(2), 5, faults));
    await watcher.catchUp('src');
    const errors = distinctErrors(healths);
    expect(errors[0]).toBe('The source asked Vigil to slow down (rate limited): 429 Too Many Requests. Retrying in 0.0 s (attempt 2).');
    expect(errors[1]).toContain('[secret]');
    expect(errors.join(' ')).not.toContain('s3cr3t-token');
    expect(retryDelay(1, 120_000)).toBe(120_000);
  });

  it('delivers what a page read before the source rate-limited it, and waits as asked before the rest', async () => {
    const source = new ScriptedSource('src', range(6), 2);
    source.waitAfterPage = 40;
    const sink = new RecordingSink();
    const { watcher } = await setup(source, sink);
    expect(await watcher.catchUp('src')).toBe(6);
    expect(sink.delivered).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    // Each page after one that asked to wait started no sooner than asked (setTimeout never fires early).
    const gaps = source.callTimes.slice(1).map((t, i) => t - source.callTimes[i]!);
    expect(gaps.every((g) => g >= 39)).toBe(true);
    expect(watcher.health()[0]!.consecutiveFailures).toBe(0);
  });

  it('gives up catching up after repeated failures with the last error', async () => {
    const boom = { kind: 'error', error: new ConnectorError('The helpdesk is down.', 'unavailable') } as const;
    const source = new ScriptedSource('src', range(1), 5, new Map([[1, boom], [2, boom], [3, boom]]));
    const { watcher } = await setup(source);
    await expect(watcher.catchUp('src', 3)).rejects.toThrow(/^The helpdesk is down\. Retrying in/);
  });

  it('gives up catching up at once on a failure waiting cannot fix (wrong settings, refused credentials)', async () => {
    for (const kind of ['config', 'auth'] as const) {
      const wrong = { kind: 'error', error: new ConnectorError('The ticket folder /nope does not exist.', kind) } as const;
      const source = new ScriptedSource('src', range(1), 5, new Map([[1, wrong], [2, wrong], [3, wrong]]));
      const { watcher } = await setup(source);
      await expect(watcher.catchUp('src', 3)).rejects.toThrow(/^The ticket folder \/nope does not exist\.$/);
      expect(source.calls).toBe(1);
    }
  });

  it('backs off exponentially with jitter, within bounds', () => {
    const options = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(1, options, () => 0)).toBe(500);
    expect(backoffDelay(1, options, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(4, options, () => 0)).toBe(4000);
    expect(backoffDelay(50, options, () => 0.999)).toBeLessThanOrEqual(60_000);
  });

  it('never runs two pages of one connector at once', async () => {
    const source = new ScriptedSource('src', range(9), 2);
    const sink = new RecordingSink();
    const { watcher } = await setup(source, sink);
    await Promise.all([watcher.catchUp('src'), watcher.catchUp('src'), watcher.syncPage('src')]);
    expect(source.maxConcurrent).toBe(1);
    expect(sink.delivered).toEqual(range(9).map((e) => e.id));
  });

  it('keeps the other connectors going while one keeps failing', async () => {
    const down = { kind: 'error', error: new ConnectorError('The helpdesk is down.', 'unavailable') } as const;
    const broken = new ScriptedSource('broken', range(2), 5, new Map(Array.from({ length: 1000 }, (_, i) => [i + 1, down] as const)));
    const healthy = new ScriptedSource('healthy', range(4), 1);
    const delivered: string[] = [];
    const sink: EventSink = { deliver: async (id, events) => void delivered.push(...events.map((e) => `${id}/${e.id}`)) };
    const dir = await tempFolder('vigil-watch-');
    const watcher = await Watcher.open({ dataDir: dir, sink, connectors: [{ connector: broken, pollMs: 10 }, { connector: healthy, pollMs: 10 }], backoff: FAST });
    watcher.start();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (delivered.length === 4 && broken.calls >= 3) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    await watcher.stop();
    expect(delivered).toEqual(['healthy/e1', 'healthy/e2', 'healthy/e3', 'healthy/e4']);
    const [b, h] = watcher.health();
    expect(b).toMatchObject({ id: 'broken', delivered: 0, lastError: expect.stringMatching(/^The helpdesk is down\. Retrying in/) });
    expect(h).toMatchObject({ id: 'healthy', delivered: 4, lastError: null });
  });

  it('polls on its schedule until stopped', async () => {
    const source = new ScriptedSource('src', range(3), 2);
    const sink = new RecordingSink();
    const { watcher, healths } = await setup(source, sink);
    const idle = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (sink.delivered.length === 3 && source.calls >= 4) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    watcher.start();
    await idle;
    await watcher.stop();
    expect(sink.delivered).toEqual(['e1', 'e2', 'e3']);
    expect(healths.at(-1)!.state).toBe('stopped');
  });
});
