/**
 * Child process for the system-call test in noEgress.test.ts: runs the full offline cycle (fullCycleSteps) with
 * nothing patched, plus one deliberate loopback connection, so the trace shows the tracer sees this process's
 * connections at all. Prints a JSON summary on stdout.
 *   node --import tsx test/core/net/cycleChild.ts WORK_DIR
 */
import { connect, createServer } from 'node:net';
import { fullCycleSteps, runCycle } from './egressHarness';

const [workDir] = process.argv.slice(2);
const context = await runCycle(fullCycleSteps(), workDir);

// The positive control: a TCP connection to 127.0.0.1, which the trace must show.
const server = createServer((socket) => socket.end('control'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
await new Promise<void>((resolve, reject) => {
  const socket = connect({ host: '127.0.0.1', port }, () => socket.on('close', () => resolve()).resume());
  socket.on('error', reject);
});
server.close();

process.stdout.write(`${JSON.stringify({ controlPort: port, results: context.results })}\n`);
