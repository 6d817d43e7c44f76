/**
 * The part of mailparser 3.7 (which ships no types) the IMAP connector uses: `simpleParser` and its result.
 * Written from lib/simple-parser.js and lib/mail-parser.js of the installed version.
 */
declare module 'mailparser' {
  export interface AddressObject {
    value: { address?: string; name?: string }[];
    text: string;
  }
  export interface ParsedMail {
    /** `false` for an empty id (mail-parser.js, ensureMessageIDFormat); `<>` stays a string. */
    messageId?: string | false;
    inReplyTo?: string | false;
    /** An array when there are several ids, with `false` for an empty one (`References: \uFEFF <a@x>`). */
    references?: string | (string | false)[];
    subject?: string;
    date?: Date;
    from?: AddressObject;
    to?: AddressObject | AddressObject[];
    text?: string;
    html?: string | false;
  }
  export function simpleParser(source: Buffer | string, options?: { skipImageLinks?: boolean; skipTextToHtml?: boolean }): Promise<ParsedMail>;
}
