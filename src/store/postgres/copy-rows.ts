/**
 * PostgreSQL bulk inserts by `COPY … FROM STDIN` in text format (docs/decisions.md ST17): the rows
 * are encoded as CopyData messages of about 64 K characters each, no parameter or array literal
 * per value, and the server parses them with COPY's own reader and inserts them in batches. Idempotency is not COPY's job: as before, the store looks rows up inside the
 * write transaction, under the store-wide write lock (ST2/ST4), and inserts only new ones.
 *
 * The rows travel as the one parameter of a `copy … from stdin` query run through Kysely; the pool
 * in ./dialect.ts recognises a `CopyRows` parameter and runs it as a COPY on the same connection.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';

/** Characters of text gathered into one CopyData message (unless a single row has more). */
const MESSAGE_CHARS = 1 << 16;
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4

/** Characters COPY's text format gives a meaning to: the escape, the delimiter and the row ends. */
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeOne = (c: string) => ESCAPES[c]!;

/** One value in COPY's text format. */
function cell(value: unknown, column: number): string {
  if (typeof value === 'string') return SPECIAL.test(value) ? value.replace(SPECIALS, escapeOne) : value;
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  throw new TypeError(`cannot COPY a value of type ${typeof value} (column ${column + 1})`);
}

/** A CopyData message holding `text` as UTF-8. */
function copyData(text: string): Buffer {
  const bytes = Buffer.byteLength(text);
  const message = Buffer.allocUnsafe(bytes + 5);
  message[0] = COPY_DATA;
  message.writeUInt32BE(bytes + 4, 1);
  message.write(text, 5);
  return message;
}

/** What runs the queries: the write transaction's Kysely connection. */
type QueryRunner = Pick<Kysely<unknown>, 'executeQuery'>;

/** Rows encoded as CopyData messages, handed to the pool as a query's only parameter. */
export class CopyRows {
  constructor(
    readonly messages: readonly Buffer[],
    readonly rows: number,
  ) {}
}

/**
 * Encodes rows in COPY's text format (tab between columns, newline after each row, `\N` for null
 * or undefined, backslash escapes) as complete CopyData messages. With `keys`, each row starts
 * with its key (the reserved serial value). Strings, numbers, bigints and booleans only: anything
 * else is a bug of the caller.
 */
export function encodeCopyText(
  rows: readonly (readonly unknown[])[],
  width: number,
  keys?: readonly number[],
): Buffer[] {
  const messages: Buffer[] = [];
  // a row's texts are concatenated and written once per message: far fewer calls into
  // Buffer#write than one per value (ST17)
  let text = '';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (keys) text += `${keys[r]}\t`;
    for (let c = 0; c < width - 1; c++) text += `${cell(row[c], c)}\t`;
    text += `${cell(row[width - 1], width - 1)}\n`;
    if (text.length >= MESSAGE_CHARS) {
      messages.push(copyData(text));
      text = '';
    }
  }
  if (text) messages.push(copyData(text));
  return messages;
}

/**
 * A pg query object (pg's `Submittable`) that runs `COPY … FROM STDIN` and sends the rows at once,
 * without waiting for the server's CopyInResponse: the protocol allows it, and if the COPY fails
 * before it starts, the server ignores the CopyData and CopyDone messages that follow.
 */
export class CopyFromStdin implements pg.Submittable {
  /** set by pg when the client has a query timeout */
  callback?: (error: Error | null, result?: unknown) => void;
  private rowCount = 0;
  private settle: { resolve(result: pg.QueryResult): void; reject(error: Error): void } | undefined;
  readonly result: Promise<pg.QueryResult>;

  constructor(
    private readonly text: string,
    private readonly copy: CopyRows,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  submit(connection: pg.Connection): void {
    connection.query(this.text);
    const stream = connection.stream;
    stream.cork();
    for (const message of this.copy.messages) stream.write(message);
    stream.write(COPY_DONE);
    stream.uncork();
  }

  handleCommandComplete(message: { text?: string }): void {
    const count = /^COPY (\d+)/.exec(message.text ?? '');
    if (count) this.rowCount = Number(count[1]);
  }

  handleReadyForQuery(): void {
    const result = { command: 'COPY', rowCount: this.rowCount, rows: [], fields: [], oid: 0 };
    this.callback?.(null, result);
    this.settle?.resolve(result);
    this.settle = undefined;
  }

  handleError(error: Error): void {
    this.callback?.(error);
    this.settle?.reject(error);
    this.settle = undefined;
  }

  // Messages a COPY FROM never gets; pg calls these on the active query if one came anyway.
  handleCopyInResponse(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/**
 * Reserves `count` consecutive values of the serial column `key` of `table`, in one statement:
 * the keys of rows about to be copied, ascending in input order as `INSERT … RETURNING` gave them.
 * Consecutive because every insert into these tables happens under the store's write lock, which
 * the caller holds (ST2/ST4): nobody else draws from the sequence between the `nextval` and the
 * `setval`. Should someone do so anyway, the primary key refuses the duplicate and the write fails;
 * nothing is stored twice. A rolled-back transaction leaves a gap, as any serial does.
 */
async function reserveKeys(db: QueryRunner, table: string, key: string, count: number): Promise<number[]> {
  const result = await db.executeQuery<{ last: string }>(
    CompiledQuery.raw(
      'select setval(s, nextval(s) + $3 - 1) as last from (select pg_get_serial_sequence($1, $2)::regclass as s) q',
      [`"${table}"`, key, count],
    ),
  );
  const last = Number(result.rows[0]?.last);
  if (!Number.isSafeInteger(last)) throw new Error(`cannot reserve keys of ${table}.${key}`);
  const keys = new Array<number>(count);
  for (let i = 0; i < count; i++) keys[i] = last - count + 1 + i;
  return keys;
}

/**
 * Inserts rows into `table` by COPY on the connection `db` holds (the write transaction's); with
 * `seqs`, reserves the serial `key` of each row first and returns them in input order.
 */
export async function copyInsert(
  db: QueryRunner,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  seqs: boolean,
  key: string,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const keys = seqs ? await reserveKeys(db, table, key, rows.length) : undefined;
  const names = (keys ? [key, ...columns] : columns).map((c) => `"${c}"`).join(',');
  const messages = encodeCopyText(rows, columns.length, keys);
  await db.executeQuery(
    CompiledQuery.raw(`copy "${table}" (${names}) from stdin`, [new CopyRows(messages, rows.length)]),
  );
  return keys ?? [];
}
