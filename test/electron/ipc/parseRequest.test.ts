import { describe, expect, it } from 'vitest';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';

describe('request validation of the desk and review methods', () => {
  it('accepts well-formed requests and trims free text', () => {
    expect(parseIpcRequest('openTicket', [{ ticketId: 'rt:42' }])).toEqual({ ticketId: 'rt:42' });
    expect(parseIpcRequest('sendFeedback', [{ ticketId: 'rt:42', suggestionId: 'rt:42:m1', action: 'disliked', reason: '  wrong product ' }])).toEqual({
      ticketId: 'rt:42',
      suggestionId: 'rt:42:m1',
      action: 'disliked',
      reason: 'wrong product',
    });
    expect(parseIpcRequest('reviewEntry', [{ entryId: 'qa-1', decision: 'edit', edit: { answer: ' Do X. ' } }])).toEqual({
      entryId: 'qa-1',
      decision: 'edit',
      edit: { answer: 'Do X.' },
    });
  });

  it('refuses malformed ones, naming the field', () => {
    expect(() => parseIpcRequest('openTicket', [{ ticketId: '' }])).toThrow('vigil:openTicket received a malformed request: ticketId: the ticket id is empty');
    expect(() => parseIpcRequest('sendFeedback', [{ ticketId: 'a', suggestionId: 'b', action: 'shared' }])).toThrow(/action: the action must be one of expanded, copied/);
    expect(() => parseIpcRequest('reviewEntry', [{ entryId: 'qa-1', decision: 'edit' }])).toThrow('edit: an edit needs the changed title, question or answer');
    expect(() => parseIpcRequest('reviewEntry', [{ entryId: 'qa-1', decision: 'approve', actor: 'someone-else' }])).toThrow(/Unrecognized key/);
    expect(() => parseIpcRequest('reviewEntry', [{ entryId: 'qa-1', decision: 'edit', edit: { answer: '   ' } }])).toThrow('edit.answer: the answer is empty');
    expect(() => parseIpcRequest('listTickets', [{}])).toThrow('vigil:listTickets received a malformed request: request: this method takes no arguments');
  });
});
