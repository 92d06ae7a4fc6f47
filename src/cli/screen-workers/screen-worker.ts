/**
 * A worker thread of the parallel pipeline: builds the compiled regime and the party index once,
 * then screens the chunks the main thread sends (bytes cut at record boundaries, valid UTF-8) and
 * sends back the encoded decisions, transferring the output buffer rather than copying it.
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { compileRegime } from '../../core/regime/compile.js';
import type { PartyCheck } from '../../core/screening/party-check.js';
import { ChunkScreener, fromPool, POOL } from './screen-chunk.js';
import { type ChunkJob, formatterFor, type WorkerSetup } from './worker-protocol.js';

type Message = (ChunkJob & { header: string[] }) | { give: ArrayBuffer };
// one listener from the start: the setup may come as the first message (a worker is started
// before the main thread has loaded the regime, S15); jobs that come before the screener is built
// wait here, in order
let handle: ((m: Message) => void) | undefined;
const waiting: Message[] = [];
let setupArrived: (setup: WorkerSetup) => void = () => {};
const setupMessage = new Promise<WorkerSetup>((resolve) => {
  setupArrived = resolve;
});
parentPort!.on('message', (m: Message | { setup: WorkerSetup }) => {
  if ('setup' in m) setupArrived(m.setup);
  else if (handle) handle(m);
  else waiting.push(m);
});
const setup: WorkerSetup = (workerData as WorkerSetup | null | undefined) ?? (await setupMessage);
/** output buffers the main thread has written out and handed back */
const pool: ArrayBuffer[] = [];
const compiled = compileRegime(setup.regime);
let parties: PartyCheck | undefined;
if (setup.partiesDataDir !== undefined) {
  const { loadPartyCheck } = await import('../../ingest/lists/party-check-loader.js');
  parties = loadPartyCheck(setup.partiesDataDir);
}
const screener = new ChunkScreener({
  compiled,
  jurisdiction: setup.jurisdiction,
  asOf: setup.asOf,
  parties,
  format: setup.format,
  formatter: formatterFor(setup.format),
  file: setup.file,
  allocate: (size) => fromPool(pool, size),
});

handle = (job) => {
  if ('give' in job) {
    if (pool.length < POOL) pool.push(job.give);
    return;
  }
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const result = screener.screen(bytes, job.line, job.header, job.final);
  const transfer = [
    job.bytes.buffer, // the chunk's buffer goes back to be read into again
    result.output.buffer,
    result.ends.buffer,
    result.lines.buffer,
    result.hashes.buffer,
    result.outcomes.buffer,
  ];
  parentPort!.postMessage({ seq: job.seq, result, input: job.bytes }, transfer as ArrayBuffer[]);
};
for (const m of waiting.splice(0)) handle(m);
/** This thread's id in the operating system (Linux), for EMBARGO_SCREEN_TRACE's CPU per thread. */
function osThreadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}
parentPort!.postMessage({ ready: true, tid: osThreadId() });
