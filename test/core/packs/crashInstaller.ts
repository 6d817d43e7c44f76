/**
 * Child process for the crash test: starts installing a pack and kills itself with SIGKILL at the given stage
 * of the install, as a power cut would.
 *   node --import tsx test/core/packs/crashInstaller.ts DATA_DIR PACK_FILE STAGE
 */
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { PackLibrary, type InstallStage } from '../../../core/packs/packLibrary';

const [dataDir, file, stage] = process.argv.slice(2);
const library = await PackLibrary.open(dataDir!, new HashedEmbedder());
await library.install(file!, {
  onStage: (at: InstallStage) => {
    if (at === stage) process.kill(process.pid, 'SIGKILL');
  },
});
