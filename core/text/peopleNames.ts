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

/**
 * A name as text writes one: a capital, then a lower-case letter ("Ana", "McKay", "O'Neil"). An acronym ("VPN", "SSO") or a
 * lower-case word is never taken for a name.
 */
const NAME_WORD = "\\p{Lu}(?:\\p{Ll}|['’]\\p{Lu})[\\p{L}'’-]*";
/**
 * Words that make the word after them a thing, never a person: articles, possessives and "in"/"into" ("my Outlook",
 * "the Teams app", "in Excel"). Nobody writes "my Ana" or "in Sarah" about the person they greet.
 */
const DETERMINER = '(?:[Aa]n?|[Tt]he|[Mm]y|[Yy]our|[Oo]ur|[Tt]heir|[Ii]ts|[Tt]his|[Tt]hat|[Ii]n|[Ii]nto)';
/** The greeting and thanks words, in either case at their first letter (the name itself must be capitalised). */
const GREETING_WORD = '(?:[Hh]i|[Hh]ello|[Hh]ey|[Dd]ear|[Tt]hanks|[Tt]hank you|[Cc]heers|[Mm]orning|[Aa]fternoon)';
/**
 * "Hi Ana,", "Thanks, Ana!", "Dear Mr Smith:", "Hello Ana Lopez" at a line's end: the name right after a greeting
 * or thanks, addressing someone, so followed by punctuation, the end of the line, "for" ("Thanks Ana for…"), or a
 * thanks written without punctuation ("Hi Ana thanks", "Hi Ana thank you"): chat-style messages often have none.
 * "Hi, my VPN keeps dropping" and "Hi Outlook keeps crashing" name nobody: the word after the greeting is not
 * capitalised like a name, or the sentence goes on with something other than thanks. "Thanks to" followed by a
 * determiner is a cause, not a thank-you: in "Hi Outlook thanks to the update crashes" Outlook is the subject.
 */
const NAME_AFTER_GREETING = new RegExp(
  `(?<![\\p{L}])${GREETING_WORD}[,!]?[ \\t]+(?:(?:Mr|Mrs|Ms|Dr)\\.?[ \\t]+)?(${NAME_WORD}(?:[ \\t]+${NAME_WORD})?)(?=[ \\t]*(?:[,.!?:;—–-]|\\r?\\n|$)|[ \\t]+(?:for|[Tt]hanks(?![ \\t]+to[ \\t]+${DETERMINER}\\b)|[Tt]hank you|[Tt]hx|[Cc]heers)\\b)`,
  'gu',
);
/** "my name is Ana Lopez" (not "this is …": "This is Windows 10" is not a name). */
const NAME_INTRO = new RegExp(`\\b[Mm]y name is[ \\t]+(${NAME_WORD}(?:[ \\t]+${NAME_WORD})?)`, 'gu');
/** The name line of a sign-off: one or two names alone ("Ana", "Ana Lopez"). */
const SIGN_OFF_NAME = new RegExp(`^${NAME_WORD}(?:\\s+${NAME_WORD})?$`, 'u');
/** Capitalised words after a greeting that are not names. */
const NOT_NAMES = new Set(
  'Team Support Sir Madam All There Everyone Again So Very For The A I We You It This That Thanks Thank Thx Cheers Good Morning Afternoon Evening Customer Analyst Helpdesk Service Desk IT When What Why How Where Which Who Can Could Is Are Do Does My Our Please In Advance'.split(
    ' ',
  ),
);

/**
 * Whether any of `texts` uses `word` as a thing: right after an article, a possessive or "in" ("Hi Outlook thanks"
 * in a ticket that also says "my Outlook keeps crashing" greets nobody). Matched with the word's own capitals, so
 * "the outlook is good" says nothing about Outlook.
 */
function usedAsThing(word: string, texts: readonly string[]): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const thing = new RegExp(`(?<![\\p{L}])${DETERMINER}[ \\t]+${escaped}(?![\\p{L}])`, 'u');
  return texts.some((text) => thing.test(text));
}

/**
 * Names of the people in a ticket: the requester field when it reads as a name, names after greetings and
 * thanks in any message, a sign-off line's name, and self-introductions. A word after a greeting that the ticket
 * elsewhere uses as a thing (`usedAsThing`) is a product greeted by mistake of punctuation, not a person.
 */
export function peopleNamesIn(ticket: NamedParties): string[] {
  const names = new Set<string>();
  const addName = (raw: string): void => {
    for (const word of raw.trim().split(/\s+/)) {
      const clean = word.replace(/[^\p{L}'’-]/gu, '');
      if (clean.length >= 2 && /^\p{Lu}/u.test(clean) && !NOT_NAMES.has(clean)) names.add(clean);
    }
  };
  const texts = ticket.messages.map((m) => m.text);
  if (ticket.requester && /^\p{Lu}\p{Ll}+(\s+\p{Lu}\p{Ll}+)*$/u.test(ticket.requester.trim())) addName(ticket.requester);
  for (const message of ticket.messages) {
    for (const match of message.text.matchAll(NAME_AFTER_GREETING)) {
      addName((match[1] ?? '').split(/[ \t]+/).filter((word) => !usedAsThing(word, texts)).join(' '));
    }
    for (const match of message.text.matchAll(NAME_INTRO)) addName(match[1] ?? '');
    // A sign-off: "Thanks,\nAna" / "Regards,\nAna Lopez" — a short last line after a closing word.
    const lines = message.text.trim().split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const last = lines.at(-1);
    const before = lines.at(-2);
    if (last && before && /^(thanks|thank you|regards|best( regards)?|kind regards|cheers|sincerely)[,.!]*$/i.test(before)) {
      if (SIGN_OFF_NAME.test(last)) addName(last);
    }
  }
  return [...names];
}
