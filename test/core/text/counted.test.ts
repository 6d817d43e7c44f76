import { describe, expect, it } from 'vitest';
import { counted } from '../../../core/text/counted';

describe('a count in words', () => {
  it('says "1 entry" and "2 entries", "0 new events" and "1 new event"', () => {
    expect([counted(1, 'entry', 'entries'), counted(2, 'entry', 'entries'), counted(0, 'new event'), counted(1, 'new event')]).toEqual(['1 entry', '2 entries', '0 new events', '1 new event']);
  });
});
