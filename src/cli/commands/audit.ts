/**
 * `embargo audit verify` walks the hash chain and names the first entry that was edited, removed,
 * inserted or reordered (exit 1, EMB_AUDIT_BROKEN); `embargo audit export` writes the trail as
 * JSON-lines (docs/formats.md, "Audit export").
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { EmbargoError } from '../../core/errors.js';
import { exportAudit, verifyAudit } from '../../services/audit-service.js';
import { withStore } from '../../services/store-session.js';
import { resolveDataDir } from '../config.js';

function parseHead(text: string): { seq: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!match)
    throw new EmbargoError(
      'EMB_USAGE',
      '--head takes <seq>:<sha256 hex> as printed by `embargo audit verify`',
      { field: 'head' },
    );
  return { seq: Number(match[1]), hash: match[2]! };
}

export function register(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');
  audit
    .command('verify')
    .description(
      'check the hash chain and the decisions against it; exit 1 naming the first entry (or decision) edited, removed, inserted or reordered',
    )
    .option('--head <seq:hash>', 'a head noted earlier: also catches entries cut from the end')
    .option('--db <path|url>', 'SQLite file or postgres:// URL')
    .action(async (opts: { head?: string; db?: string }) => {
      const expect = opts.head ? parseHead(opts.head) : undefined;
      const result = await withStore(
        opts,
        () => resolveDataDir(),
        (store) => verifyAudit(store, expect),
      );
      if (!result.ok && result.finding) {
        throw new EmbargoError(
          'EMB_AUDIT_BROKEN',
          `audit trail ${result.finding.kind}: ${result.finding.message}`,
          result.finding.decisionSeq === undefined
            ? { seq: result.finding.seq }
            : { decision_seq: result.finding.decisionSeq },
        );
      }
      const head = result.head ? `${result.head.seq}:${result.head.hash}` : '0 (empty)';
      process.stdout.write(
        `audit trail intact: ${result.entries} entries, head ${head}; ${result.decisions} decisions match it\n`,
      );
    });
  audit
    .command('export')
    .description('write every entry as JSON-lines')
    .option('--out <file>', 'write here instead of stdout')
    .option('--db <path|url>', 'SQLite file or postgres:// URL')
    .action(async (opts: { out?: string; db?: string }) => {
      const sink = opts.out ? createWriteStream(opts.out) : process.stdout;
      // A reader that stops early (`| head`) closes the pipe: stop writing, that is not an error.
      let closed = false;
      sink.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') closed = true;
        else throw error;
      });
      await withStore(
        opts,
        () => resolveDataDir(),
        async (store) => {
          for await (const line of exportAudit(store)) {
            if (closed) break;
            let flushed: boolean;
            try {
              flushed = sink.write(line);
            } catch (error) {
              // stdout on a pipe writes synchronously on Linux and throws EPIPE here
              if ((error as NodeJS.ErrnoException).code === 'EPIPE') break;
              throw error;
            }
            if (!flushed) await Promise.race([once(sink, 'drain'), once(sink, 'close')]);
          }
        },
      );
      if (opts.out) {
        (sink as ReturnType<typeof createWriteStream>).end();
        await once(sink, 'finish');
      }
    });
}
