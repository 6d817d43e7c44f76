/** Scripts the loopback Ollama server per pipeline stage, recognised by the JSON schema the engine sends. */
import type { ChatRequestBody, ScriptedReply } from '../../support/ollamaServer';

export type Stage = 'scope' | 'rewrite' | 'answerability' | 'text';

export function stageOf(body: ChatRequestBody): Stage {
  const required = (body.format as { required?: string[] } | undefined)?.required ?? [];
  if (required.includes('category')) return 'scope';
  if (required.includes('subQueries')) return 'rewrite';
  if (required.includes('answerable')) return 'answerability';
  return 'text';
}

export interface Script {
  scope?: (body: ChatRequestBody) => ScriptedReply;
  rewrite?: (body: ChatRequestBody) => ScriptedReply;
  answerability?: (body: ChatRequestBody) => ScriptedReply;
  text?: (body: ChatRequestBody) => ScriptedReply;
}

export const json = (value: unknown): string => JSON.stringify(value);

export function answerable(citations: string[], answer: string, extra: Record<string, unknown> = {}): string {
  return json({ objectMatches: true, symptomMatches: true, preconditionsMatch: true, answerable: true, reason: 'same problem', kind: 'answer', answer, citations, ...extra });
}

export const notAnswerable = json({ objectMatches: true, symptomMatches: false, preconditionsMatch: true, answerable: false, reason: 'different symptom', kind: 'answer', answer: '', citations: [] });

/** A reply function for the server: each stage answers as scripted (defaults: in scope, echo-ish rewrite, not answerable). */
export function scripted(script: Script): (body: ChatRequestBody) => ScriptedReply {
  return (body) => {
    const stage = stageOf(body);
    const custom = script[stage];
    if (custom) return custom(body);
    if (stage === 'scope') return json({ category: 'question', needsHelp: true });
    if (stage === 'rewrite') return json({ query: 'customer problem', subQueries: [] });
    if (stage === 'answerability') return notAnswerable;
    return 'ok';
  };
}

/** The user prompt (fenced data) and system prompt of a recorded request. */
export function promptsOf(body: Record<string, unknown> | null): { system: string; user: string } {
  const messages = (body?.['messages'] ?? []) as Array<{ role: string; content: string }>;
  return { system: messages.find((m) => m.role === 'system')?.content ?? '', user: messages.find((m) => m.role === 'user')?.content ?? '' };
}
