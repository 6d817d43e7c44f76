import { describe, expect, it } from 'vitest';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';

const rt = { kind: 'rt', id: 'rt-main', values: { baseUrl: 'https://rt.example.com', pageSize: 50, writeBack: true }, secrets: { token: '1-14-abc' } };

describe('request validation of Settings → Connectors and the reply box', () => {
  it('accepts a well-formed connector form and reply', () => {
    expect(parseIpcRequest('saveConnector', [{ mode: 'add', draft: rt }])).toEqual({ mode: 'add', draft: rt });
    expect(parseIpcRequest('testConnectorDraft', [{ mode: 'edit', draft: { ...rt, secrets: {} } }])).toMatchObject({ mode: 'edit' });
    expect(parseIpcRequest('removeConnector', [{ id: 'rt-main' }])).toEqual({ id: 'rt-main' });
    expect(parseIpcRequest('saveReplyDraft', [{ ticketId: 'rt:1', text: 'Hello', insertedSuggestionIds: ['rt:1:m1:answer'] }])).toMatchObject({ text: 'Hello' });
    expect(parseIpcRequest('sendReply', [{ ticketId: 'rt:1', text: 'Hello', visibility: 'note' }])).toMatchObject({ visibility: 'note' });
    expect(parseIpcRequest('sendReply', [{ ticketId: 'rt:1', text: 'Hello', visibility: 'public', confirmed: true }])).toMatchObject({ visibility: 'public' });
  });

  it('refuses an unknown kind, a bad id and an address that is not http(s)', () => {
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, kind: 'ftp' } }])).toThrow(/draft\.kind: the kind must be one of folder, freshdesk, imap, jsm, rt, zammad, zendesk/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, id: '../etc' } }])).toThrow(/draft\.id: must be a connector id/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, values: { baseUrl: 'file:///etc/passwd' } } }])).toThrow(/draft\.values\.baseUrl: baseUrl must be an http:\/\/ or https:\/\/ address/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, values: { baseUrl: 'javascript:alert(1)' } } }])).toThrow(/must be an http:\/\/ or https:\/\/ address/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'replace', draft: rt }])).toThrow(/mode: the mode must be "add" or "edit"/);
    expect(() => parseIpcRequest('removeConnector', [{ id: 'rt main' }])).toThrow(/id: must be a connector id/);
  });

  it('bounds the sizes of fields and secrets, and keeps secrets out of the plain values', () => {
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, secrets: { token: 'x'.repeat(4097) } } }])).toThrow(/the secret is longer than 4096 characters/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, values: { queue: 'q'.repeat(2049) } } }])).toThrow(/longer than 2048 characters/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, values: { token: 'in the clear' } } }])).toThrow(/token is a secret: send it in "secrets", never in "values"/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, secrets: { password: 'p' } } }])).toThrow(/a rt connector has no secret "password"/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, values: { queue: { nested: true } } } }])).toThrow(/must be text, a number, true\/false or a list of text/);
    expect(() => parseIpcRequest('saveConnector', [{ mode: 'add', draft: { ...rt, extra: 1 } }])).toThrow(/Unrecognized key/);
  });

  it('refuses an empty or oversized reply, and a public reply nobody confirmed', () => {
    expect(() => parseIpcRequest('sendReply', [{ ticketId: 'rt:1', text: '  ', visibility: 'note' }])).toThrow(/text: the reply is empty/);
    expect(() => parseIpcRequest('sendReply', [{ ticketId: 'rt:1', text: 'x'.repeat(20_001), visibility: 'note' }])).toThrow(/the reply is longer than 20000 characters/);
    expect(() => parseIpcRequest('sendReply', [{ ticketId: 'rt:1', text: 'Hi', visibility: 'public' }])).toThrow(/confirmed: a reply to the customer must be confirmed by the analyst first/);
    expect(() => parseIpcRequest('sendReply', [{ ticketId: 'rt:1', text: 'Hi', visibility: 'email' }])).toThrow(/visibility: the visibility must be "note" or "public"/);
    expect(() => parseIpcRequest('saveReplyDraft', [{ ticketId: 'rt:1', text: 'x', insertedSuggestionIds: Array.from({ length: 51 }, (_, i) => `s${i}`) }])).toThrow(/at most 50 inserted suggestions/);
    expect(() => parseIpcRequest('pickConnectorFolder', [{ path: '/etc' }])).toThrow(/this method takes no arguments/);
  });
});
