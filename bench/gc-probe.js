'use strict';
/*
 * Preloaded into the API by the bench's memory rounds (node --expose-gc -r bench/gc-probe.js …):
 * on SIGUSR2 it runs a full garbage collection and writes process.memoryUsage() to
 * <tmpdir>/co-bench-gc-<pid>.json. Nothing of it is part of the product.
 */
const { renameSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

process.on('SIGUSR2', () => {
  if (typeof globalThis.gc !== 'function') return;
  globalThis.gc();
  const file = join(tmpdir(), `co-bench-gc-${process.pid}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
  renameSync(`${file}.tmp`, file);
});
