#!/usr/bin/env node
// Conformance over a folder of real flume.properties files: every file must read as Java
// properties, and every standard component type in it must resolve in our catalog.
// Usage: npm run conformance -- <folder>
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseProperties } from '../dist/compiler/properties/reader.js';
import { findKind } from '../dist/compiler/catalog/index.js';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: npm run conformance -- <folder of .properties files>');
  process.exit(2);
}

function walk(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return walk(full);
    return /\.properties(\.\w+)?$|\.template$/.test(name) ? [full] : [];
  });
}

const categoryOf = { sources: 'source', channels: 'channel', sinks: 'sink' };
const files = walk(folder);
let failures = 0;
for (const file of files) {
  const problems = [];
  const parsed = parseProperties(readFileSync(file));
  for (const p of parsed.problems) problems.push(`line ${p.line}: ${p.message}`);
  for (const [key, entry] of parsed.map) {
    const m = /^[^.]+\.(sources|channels|sinks)\.[^.]+\.type$/.exec(key);
    if (m) {
      const type = entry.value.trim();
      if (!findKind(categoryOf[m[1]], type) && !type.includes('.')) {
        problems.push(`line ${entry.line}: ${key} = ${type}: not a known ${categoryOf[m[1]]} type`);
      }
    }
    const i = /^[^.]+\.sources\.[^.]+\.interceptors\.[^.]+\.type$/.exec(key);
    if (i && !findKind('interceptor', entry.value.trim()) && !entry.value.includes('.')) {
      problems.push(`line ${entry.line}: ${key} = ${entry.value.trim()}: not a known interceptor type`);
    }
  }
  const name = relative(folder, file);
  if (problems.length === 0) {
    console.log(`ok    ${name}`);
  } else {
    failures++;
    console.log(`FAIL  ${name}`);
    for (const p of problems) console.log(`        ${p}`);
  }
}
console.log(`conformance: ${files.length - failures} of ${files.length} files conform`);
process.exit(failures > 0 ? 1 : 0);
