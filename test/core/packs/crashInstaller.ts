/**
 * Child process for the pack-install crash tests: opens the engine on a data folder as the app does (the team's own
 * store, the pack library, the rollback snapshot taken before every install) and installs a pack.
 *   node --import tsx test/core/packs/crashInstaller.ts DATA_DIR PACK_FILE STAGE [report]
 * By default it kills itself with SIGKILL the first time the install reaches STAGE, as a power cut would; if the stage
 * is never reached the install finishes and the process exits normally, which the test reports as a failure.
 * With `report` it prints each stage on a line instead and, once done, prints `done` and waits to be killed: the test
 * kills it from outside when it hears STAGE, so the kill lands wherever the install has got to by then.
 */
import { CopilotService } from '../../../core/app/copilotService';
import type { InstallStage } from '../../../core/packs/packLibrary';

const [dataDir, file, stage, mode] = process.argv.slice(2);
const service = await CopilotService.open({ dataDir: dataDir! });
await service.packs.library.install(file!, {
  onStage: (at: InstallStage) => {
    if (mode === 'report') process.stdout.write(`${at}\n`);
    else if (at === stage) process.kill(process.pid, 'SIGKILL');
  },
});
if (mode === 'report') {
  process.stdout.write('done\n');
  setInterval(() => undefined, 60_000); // until the test kills it
} else {
  await service.close();
}
