/**
 * Insights → What if's contract methods: a thin hop to the workspace's `whatIf` (core/app/whatIf.ts). The tickets
 * file or folder and the report's destination come from the injected pickers (native dialogs in the app, scripted
 * in the browser tests), never from the page. No Electron runtime import, so the browser-test bridge serves them too.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';

/** Asks the analyst for a path in the main process; `null` when they cancel. */
export type WhatIfPathPicker = (event: IpcMainInvokeEvent) => Promise<string | null>;

/** The contract methods of Insights → What if. */
export type WhatIfMethod = keyof ReturnType<typeof createWhatIfHandlers>;

export interface WhatIfDependencies {
  /** A `.jsonl` file of recorded tickets. */
  pickTicketsFile: WhatIfPathPicker;
  /** A folder of such files. */
  pickTicketsFolder: WhatIfPathPicker;
  /** Where to save the HTML report. */
  pickReportFile: WhatIfPathPicker;
}

/** The what-if replay's handlers. */
export function createWhatIfHandlers(host: ServiceHost, deps: WhatIfDependencies) {
  return ipcHandlerGroup({
    startWhatIf: async ({ source }, event) => {
      if (source === 'desk') return host.use((w) => w.whatIf.start({ kind: 'desk' }));
      const path = await (source === 'file' ? deps.pickTicketsFile : deps.pickTicketsFolder)(event);
      if (path === null) return null;
      return host.use((w) => w.whatIf.start({ kind: source, path }));
    },
    whatIfStatus: () => host.use(async (w) => w.whatIf.status()),
    cancelWhatIf: () => host.use((w) => w.whatIf.cancel()),
    saveWhatIfReport: async (_request, event) => {
      const file = await deps.pickReportFile(event);
      if (file === null) return null;
      return host.use((w) => w.whatIf.saveReport(file));
    },
  });
}
