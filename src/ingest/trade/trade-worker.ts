/**
 * A worker thread of the parallel trade reader: reads the chunks the main thread sends (bytes
 * cut after a line feed, with the encoding the main thread decided for them) and sends back what
 * they yield (trade-chunk.ts).
 */
import { parentPort } from 'node:worker_threads';
import { type ChunkJob, readChunk } from './trade-chunk.js';

parentPort!.on('message', (job: ChunkJob) => {
  try {
    // the chunk's buffer goes back with the result (its text is decoded, a copy): the main thread
    // reuses it for a later chunk instead of allocating one
    const result = readChunk(job);
    const buffer = job.bytes.buffer as ArrayBuffer;
    result.buffer = buffer;
    parentPort!.postMessage(result, [buffer]);
  } catch (error) {
    parentPort!.postMessage({ seq: job.seq, failed: error instanceof Error ? error.stack : String(error) });
  }
});
parentPort!.postMessage({ ready: true });
