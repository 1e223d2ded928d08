/**
 * A throwaway store for one benchmark run: a temp folder for SQLite, or a new schema in the
 * given PostgreSQL database, dropped by `dispose`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scratchSchema } from '../test/helpers/scratch-schema.js';

export async function freshStore(
  url: string | null,
): Promise<{ url: string | null; dataDir: string; dispose(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
  if (!url) return { url: null, dataDir, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const scratch = await scratchSchema(url, 'earshot_bench');
  return {
    url: scratch.url,
    dataDir,
    async dispose() {
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
