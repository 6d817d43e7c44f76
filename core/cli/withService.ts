/**
 * Runs a CLI command's work against the engine: opens `CopilotService` on the data folder (`--data-dir`, or the
 * folder the app and the CLI share), reports the opening's progress on the error stream, and closes the service
 * whatever the work does, so the folder's writer lock is released before the command exits.
 */
import { CopilotService } from '../app/copilotService';
import { appDataDir } from '../formats/dataDir';

/** Opens the engine, runs `run` with it, and closes it. */
export async function withService<T>(dataDir: string | undefined, out: { error: (line: string) => void }, run: (s: CopilotService) => Promise<T>): Promise<T> {
  const service = await CopilotService.open({ dataDir: dataDir ?? appDataDir(), onProgress: out.error });
  try {
    return await run(service);
  } finally {
    await service.close();
  }
}
