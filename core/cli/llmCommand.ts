/**
 * `vigil llm use MODEL [--ollama-host HOST] | off | show`: the team's local model, kept in the data folder's
 * settings so the desktop app and `vigil watch` use it. Nothing is pulled: `ollama pull MODEL` is the admin's.
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../formats/errorMessage';
import { appDataDir } from '../formats/dataDir';
import { readLlmSetting, writeLlmSetting } from '../llm/llmSetting';

export class LlmUsageError extends Error {}

type Out = { log: (line: string) => void; error: (line: string) => void };

export async function llmCommand(args: string[], out: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { 'data-dir': { type: 'string' }, 'ollama-host': { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new LlmUsageError(errorMessage(err));
  }
  const [sub, model, ...extra] = parsed.positionals;
  const dataDir = parsed.values['data-dir'] ?? appDataDir();
  const host = parsed.values['ollama-host'];
  if (extra.length > 0) throw new LlmUsageError(`llm ${sub}: unexpected ${extra.join(' ')}`);
  switch (sub) {
    case 'use': {
      if (!model) throw new LlmUsageError('llm use needs a MODEL (an Ollama tag such as llama3.2:3b)');
      await writeLlmSetting(dataDir, { model, ...(host ? { host } : {}) });
      out.log(`The local LLM is now ${model}${host ? ` at ${host}` : ''} for ${dataDir}. Vigil never pulls it: run \`ollama pull ${model}\` if it is not installed.`);
      return 0;
    }
    case 'off':
      if (model || host) throw new LlmUsageError('llm off takes no MODEL or --ollama-host');
      await writeLlmSetting(dataDir, null);
      out.log(`Retrieval-only mode for ${dataDir}: no local LLM.`);
      return 0;
    case 'show':
    case undefined: {
      if (model || host) throw new LlmUsageError('llm show takes no MODEL or --ollama-host');
      const setting = await readLlmSetting(dataDir);
      out.log(setting ? `${setting.model}${setting.host ? ` at ${setting.host}` : ''}` : 'none (retrieval-only)');
      return 0;
    }
    default:
      throw new LlmUsageError(`unknown llm command "${sub}" (use use, off or show)`);
  }
}
