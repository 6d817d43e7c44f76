import { describe, expect, it } from 'vitest';
import { createRedactingLogger, log, redactForLog, setLogSink } from '../../../core/privacy/redactingLogger';

describe('the redacting logger', () => {
  it('writes no personal data or secrets, whatever the message quotes', () => {
    const lines: string[] = [];
    const sink = { log: (l: string) => lines.push(`info ${l}`), warn: (l: string) => lines.push(`warn ${l}`), error: (l: string) => lines.push(`error ${l}`) };
    const log = createRedactingLogger(sink, ['Maria Lopez']);
    log.info('Sync of ticket T-1042 for Maria Lopez <maria@example.com> done');
    log.warn('Connector rt-main refused token=abcd1234efgh from 10.1.2.3');
    log.error(String(new Error('Ollama rejected prompt: "my card is 4111 1111 1111 1111"')));
    expect(lines).toEqual([
      'info Sync of ticket T-1042 for [NAME] <[EMAIL]> done',
      'warn Connector rt-main refused token=[SECRET] from [IP]',
      'error Error: Ollama rejected prompt: "my card is [CARD]"',
    ]);
  });

  it('redacts a card number written in full-width digits or split by zero-width spaces', () => {
    expect(redactForLog('charge failed for ４１１１ １１１１ １１１１ １１１１')).toBe('charge failed for [CARD]');
    expect(redactForLog('charge failed for 4\u200B111 1111 1111 1111 from server 10.0.0.1')).toBe('charge failed for [CARD] from server [IP]');
  });

  it('logs errors by name and message', () => {
    expect(redactForLog(new TypeError('bad phone +44 20 7946 0958'))).toBe('TypeError: bad phone [PHONE]');
  });

  it('keeps a value the caller marks as configuration, and redacts the rest of the line', () => {
    expect(redactForLog('blocked 192.0.2.10 while sending dana@example.org from 10.1.2.3', { keep: ['192.0.2.10'] })).toBe('blocked 192.0.2.10 while sending [EMAIL] from [IP]');
  });

  it('sends the process logger’s lines, redacted, wherever setLogSink says, and back', () => {
    const lines: string[] = [];
    const restore = setLogSink({ log: (l) => lines.push(`info ${l}`), warn: (l) => lines.push(`warn ${l}`), error: (l) => lines.push(`error ${l}`) });
    try {
      log.warn('Ticket of Ana Lopez: reply to ana@example.com failed', { names: ['Ana Lopez'] });
      log.error(new Error('token=abcd1234efgh refused'));
    } finally {
      restore();
    }
    log.info('after restore'); // to the console again, not to `lines`
    expect(lines).toEqual(['warn Ticket of [NAME]: reply to [EMAIL] failed', 'error Error: token=[SECRET] refused']);
  });
});
