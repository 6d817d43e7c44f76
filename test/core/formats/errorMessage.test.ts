import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../../core/formats/errorMessage';

describe('the words of an error', () => {
  it("is an Error's message, without its name or stack", () => {
    expect(errorMessage(new TypeError('the folder is gone'))).toBe('the folder is gone');
  });

  it('is the message of an error-like object a library threw', () => {
    expect(errorMessage({ message: 'Command failed', code: 'NO' })).toBe('Command failed');
  });

  it('is the text of anything else, never "undefined"', () => {
    expect(errorMessage('disk full')).toBe('disk full');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(null)).toBe('null');
    expect(errorMessage({ code: 'EIO' })).toBe('[object Object]');
  });
});
