#!/usr/bin/env node
// Node 20's test runner takes no globs and ignores .ts files when given a folder,
// so this lists test/**/*.test.ts and hands them to `node --test` with tsx loaded.
//
// Two test files run at a time (EARSHOT_TEST_CONCURRENCY to change it): most files wait on a
// browser, a peer or a timer, and each one pays a process start with tsx. Every suite makes its own
// data folder, port, PostgreSQL schema, Dovecot and NATS prefix, so two never share state. The
// distributed-mode suites start several Earshot processes of their own and load both cores, so
// they run afterwards, alone.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ALONE = ['test/scale'];

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'artifacts' && name !== 'data') out.push(...find(path));
    } else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function run(files, concurrency) {
  if (files.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
    { stdio: 'inherit' },
  );
  return result.status ?? 1;
}

const only = process.argv.slice(2);
if (only.length > 0) process.exit(run(only, 1));

const concurrency = Number(process.env.EARSHOT_TEST_CONCURRENCY ?? 1);
const files = find('test');
const alone = files.filter((file) => ALONE.some((prefix) => file.startsWith(prefix)));
const together = files.filter((file) => !alone.includes(file));
const status = run(together, concurrency);
const aloneStatus = run(alone, 1);
process.exit(status || aloneStatus);
