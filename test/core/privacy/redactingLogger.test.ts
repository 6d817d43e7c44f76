import { describe, expect, it } from 'vitest';
import { createRedactingLogger, redactForLog } from '../../../core/privacy/redactingLogger';

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

  it('logs errors by name and message', () => {
    expect(redactForLog(new TypeError('bad phone +44 20 7946 0958'))).toBe('TypeError: bad phone [PHONE]');
  });
});
