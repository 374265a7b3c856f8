// Every message exists in both languages with the same placeholders.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const dir = path.resolve(import.meta.dirname, '..', 'src', 'officer');
const es = JSON.parse(readFileSync(path.join(dir, 'messages.es.json'), 'utf8'));
const en = JSON.parse(readFileSync(path.join(dir, 'messages.en.json'), 'utf8'));
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the two catalogs have the same keys', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(es).sort());
});

test('each message has the same placeholders in both languages', () => {
  for (const k of Object.keys(es)) assert.deepEqual(placeholders(en[k]), placeholders(es[k]), k);
});

test('no message is empty', () => {
  for (const [k, v] of [...Object.entries(es), ...Object.entries(en)]) assert.ok(v.trim().length > 0, k);
});
