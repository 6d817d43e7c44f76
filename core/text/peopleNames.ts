/**
 * Names of the people in a ticket, so a learned entry and a prompt can leave them out. It lives in text/ because
 * both the assistant (redacting prompts) and learning (scrubbing entries) need it, and neither may import the other.
 */
/**
 * The parts of a ticket (core/formats/schemas.ts `Ticket`) that can name people; written out here so text/ stays at
 * the bottom of core's order and needs no other folder.
 */
export interface NamedParties {
  requester?: string | undefined;
  messages: ReadonlyArray<{ text: string }>;
}

const NAME_WORD = "[A-Z][a-z'’-]+";
/** "Hi Ana", "Thanks, Ana", "Dear Mr Smith": the name after a greeting or thanks. */
const NAME_AFTER_GREETING = new RegExp(
  `\\b(?:hi|hello|hey|dear|thanks|thank you|cheers|morning|afternoon)[,!]?[ \\t]+(?:(?:mr|mrs|ms|dr)\\.?[ \\t]+)?(${NAME_WORD}(?:[ \\t]+${NAME_WORD})?)`,
  'gi', // case-insensitive for the greeting; addName keeps only capitalised words
);
/** "my name is Ana Lopez" (not "this is …": "This is Windows 10" is not a name). */
const NAME_INTRO = new RegExp(`\\b(?:my name is)\\s+(${NAME_WORD}(?:\\s+${NAME_WORD})?)\\b`, 'gi');
/** Capitalised words after a greeting that are not names. */
const NOT_NAMES = new Set(
  'Team Support Sir Madam All There Everyone Again So Very For The A I We You It This That Good Morning Afternoon Evening Customer Analyst Helpdesk Service Desk IT When What Why How Where Which Who Can Could Is Are Do Does My Our Please In Advance'.split(
    ' ',
  ),
);

/**
 * Names of the people in a ticket: the requester field when it reads as a name, names after greetings and
 * thanks in any message, a sign-off line's name, and self-introductions.
 */
export function peopleNamesIn(ticket: NamedParties): string[] {
  const names = new Set<string>();
  const addName = (raw: string): void => {
    for (const word of raw.trim().split(/\s+/)) {
      const clean = word.replace(/[^\p{L}'’-]/gu, '');
      if (clean.length >= 2 && /^\p{Lu}/u.test(clean) && !NOT_NAMES.has(clean)) names.add(clean);
    }
  };
  if (ticket.requester && /^\p{Lu}\p{Ll}+(\s+\p{Lu}\p{Ll}+)*$/u.test(ticket.requester.trim())) addName(ticket.requester);
  for (const message of ticket.messages) {
    for (const match of message.text.matchAll(NAME_AFTER_GREETING)) addName(match[1] ?? '');
    for (const match of message.text.matchAll(NAME_INTRO)) addName(match[1] ?? '');
    // A sign-off: "Thanks,\nAna" / "Regards,\nAna Lopez" — a short last line after a closing word.
    const lines = message.text.trim().split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const last = lines.at(-1);
    const before = lines.at(-2);
    if (last && before && /^(thanks|thank you|regards|best( regards)?|kind regards|cheers|sincerely)[,.!]*$/i.test(before)) {
      if (/^\p{Lu}\p{Ll}+(\s+\p{Lu}\p{Ll}+)?$/u.test(last)) addName(last);
    }
  }
  return [...names];
}
