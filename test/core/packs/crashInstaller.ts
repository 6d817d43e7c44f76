/**
 * Child process for the pack-install crash tests: opens the engine on a data folder as the app does (the team's own
 * store, the pack library, the rollback snapshot taken before every install), starts installing a pack and kills
 * itself with SIGKILL the first time the install reaches the given stage, as a power cut would. If the stage is never
 * reached the install finishes and the process exits normally, which the test reports as a failure.
 *   node --import tsx test/core/packs/crashInstaller.ts DATA_DIR PACK_FILE STAGE
 */
import { CopilotService } from '../../../core/app/copilotService';
import type { InstallStage } from '../../../core/packs/packLibrary';

const [dataDir, file, stage] = process.argv.slice(2);
const service = await CopilotService.open({ dataDir: dataDir! });
await service.packs.library.install(file!, {
  onStage: (at: InstallStage) => {
    if (at === stage) process.kill(process.pid, 'SIGKILL');
  },
});
await service.close();
