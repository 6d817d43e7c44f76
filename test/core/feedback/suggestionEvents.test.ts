import { appendFile, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { FeedbackCenter } from '../../../core/feedback/feedbackCenter';
import { eventLogPath, SUGGESTION_EVENT_TYPES, SuggestionEventLog } from '../../../core/feedback/suggestionEvents';

const at = '2026-03-01T10:00:00.000Z';

describe('the suggestion event log', () => {
  it('appends every kind of event as one validated JSON line, in call order', async () => {
    const dir = await tempFolder('vigil-events-');
    const log = new SuggestionEventLog(eventLogPath(dir));
    await Promise.all(
      SUGGESTION_EVENT_TYPES.map((type) =>
        log.append({ type, ticketId: 'T-1', entryIds: ['qa-1'], at, ...(type === 'disliked' ? { reason: 'outdated' } : {}) }),
      ),
    );
    await log.close();
    const lines = (await readFile(eventLogPath(dir), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual([...SUGGESTION_EVENT_TYPES]);
  });

  it('refuses an invalid event, naming the field, and writes nothing', async () => {
    const dir = await tempFolder('vigil-events-');
    const log = new SuggestionEventLog(eventLogPath(dir));
    await expect(log.append({ type: 'disliked', ticketId: 'T-1', entryIds: ['qa-1'], at })).rejects.toThrow(/reason: a dislike needs a reason/);
    await expect(log.append({ type: 'clicked', ticketId: 'T-1', entryIds: ['qa-1'], at })).rejects.toThrow(/^Feedback event not recorded: type:/);
    await expect(log.append({ type: 'liked', ticketId: 'T-1', entryIds: [], at })).rejects.toThrow(/entryIds: needs at least one/);
    const events = [];
    for await (const e of log.read()) events.push(e);
    expect(events).toEqual([]);
  });

  it('reports a torn or damaged line with its file and line, and keeps every other event', async () => {
    const dir = await tempFolder('vigil-events-');
    const center = await FeedbackCenter.open(dir);
    await center.record({ type: 'shown', ticketId: 'T-1', entryIds: ['qa-1'], at });
    await center.close();
    await appendFile(eventLogPath(dir), '{"type":"liked","ticketId":"T-1","entryIds":["qa-1"],"at":"2026-03-01T10:0');
    await appendFile(eventLogPath(dir), '\n{"type":"liked","ticketId":"T-1","entryIds":["qa-1"],"at":"2026-03-01T10:05:00Z"}\n');
    const reopened = await FeedbackCenter.open(dir);
    expect(reopened.issues).toEqual([expect.objectContaining({ file: eventLogPath(dir), line: 2, field: '(line)' })]);
    expect(reopened.of('qa-1')).toMatchObject({ shown: 1, liked: 1 });
    await reopened.close();
  });
});
