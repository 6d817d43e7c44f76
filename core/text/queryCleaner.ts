/**
 * Turns a customer's message into a search query: quoted history, signatures and greetings are cut, and
 * identifiers (ticket and order numbers, e-mail addresses, long numbers) are removed, because they never help
 * find a similar case and they are personal data that must not travel further into the pipeline.
 */

/** A line that starts quoted history in a reply: everything from it on is an older message. */
const QUOTE_HEADERS: readonly RegExp[] = [
  /^\s*on .{3,200}\bwrote:\s*$/i,
  /^\s*-{2,}\s*original message\s*-{2,}\s*$/i,
  /^\s*-{2,}\s*forwarded message\s*-{2,}\s*$/i,
  /^\s*from:\s.+$/i, // Outlook-style header block
  /^\s*_{10,}\s*$/,
];

/** A line that starts a signature or sign-off: everything from it on is dropped. */
const SIGNATURE_STARTS: readonly RegExp[] = [
  /^--\s*$/,
  /^\s*(best|kind|warm|many)?\s*(regards|wishes)\b[\s,.!]*.{0,40}$/i,
  /^\s*(thanks|thank you|thx|cheers|sincerely|br)\b[\s,.!]*(in advance)?[\s,.!]*$/i,
  /^\s*sent from my \w+/i,
];

/** A greeting word at the very start of a message. */
const GREETING = /^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings)\b/i;
/**
 * Who the greeting addresses, then its punctuation: " team,", " there!", " Sir or Madam,", " Ana -". Only words that
 * address someone (a few common ones, or capitalised names) count, so "Hey I tried to get money out, ..." keeps
 * "I tried to get money out": the customer's problem is never taken for an addressee.
 */
const ADDRESSEE =
  /^(?:[ \t]+(?:[Tt]here|[Tt]eam|[Aa]ll|[Ee]veryone|[Ss]upport|[Ff]olks|[Gg]uys|[Ss]ir|[Mm]adam|[Mm]rs?\.?|[Mm]s\.?|[Dd]r\.?|or|and|\p{Lu}\p{Ll}[\p{L}'’-]*)){0,4}(?:[ \t]*[,.!:;-]+|[ \t]*(?=\r?\n|$))/u;

/** The message without its opening greeting, the addressee and the punctuation after them. */
function dropGreeting(text: string): string {
  const greeting = GREETING.exec(text);
  if (!greeting) return text;
  const rest = text.slice(greeting[0].length);
  const addressee = ADDRESSEE.exec(rest);
  return (addressee ? rest.slice(addressee[0].length) : rest).replace(/^\s+/, '');
}

const IDENTIFIERS: readonly RegExp[] = [
  /[\w.+-]+@[\w-]+(\.[\w-]+)+/g, // e-mail addresses
  /\bhttps?:\/\/\S+/gi, // links carry ids and tokens
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, // UUIDs
  /\b[A-Z][A-Z0-9]{0,9}-\d{2,}\b/g, // ticket keys: T-1042, INC-20931, ORD-99887
  /#\d{3,}\b/g, // #48213
  /\b(?=[a-z0-9]*\d)[a-z0-9]{12,}\b/gi, // long tokens with digits: order numbers, hashes, API keys
  /\b\d{5,}\b/g, // long numbers: order ids, account numbers
];

/** Cuts quoted history and the signature from a message body. */
export function stripQuotedAndSignature(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (QUOTE_HEADERS.some((re) => re.test(line))) break;
    if (/^\s*>/.test(line)) continue; // a quoted line inside the message
    if (SIGNATURE_STARTS.some((re) => re.test(line))) break;
    kept.push(line);
  }
  return kept.join('\n');
}

/** Removes identifiers and personal data, leaving the words that describe the problem. */
export function removeIdentifiers(text: string): string {
  let result = text;
  for (const re of IDENTIFIERS) result = result.replace(re, ' ');
  return result;
}

/**
 * The full cleaning pass for one message: history and signature cut, greeting dropped, identifiers removed,
 * whitespace folded. May return an empty string (a message that was only a greeting, say).
 */
export function cleanMessage(text: string): string {
  const body = dropGreeting(stripQuotedAndSignature(text));
  return removeIdentifiers(body).replace(/\s+/g, ' ').trim();
}
