// Every message exists in both languages with the same placeholders, one
// catalog pair per part of each app (src/officer/messages/, src/verify/app/messages/: PART.{es,en}.json),
// and no key is defined by two parts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

function checkCatalogs(app, dir) {
  const read = (f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const parts = readdirSync(dir).filter((f) => f.endsWith('.es.json')).map((f) => f.slice(0, -'.es.json'.length));
  const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  test(`${app}: every part has both catalogs`, () => {
    assert.ok(parts.length >= 1, parts.join());
    for (const f of readdirSync(dir)) assert.match(f, /^[a-z]+\.(es|en)\.json$/, f);
    for (const p of parts) assert.ok(readdirSync(dir).includes(`${p}.en.json`), p);
  });

  for (const p of parts) {
    const es = read(`${p}.es.json`);
    const en = read(`${p}.en.json`);
    test(`${app}/${p}: the two catalogs have the same keys`, () => {
      assert.deepEqual(Object.keys(en).sort(), Object.keys(es).sort());
    });
    test(`${app}/${p}: each message has the same placeholders in both languages`, () => {
      for (const k of Object.keys(es)) assert.deepEqual(placeholders(en[k]), placeholders(es[k]), k);
    });
    test(`${app}/${p}: no message is empty`, () => {
      for (const [k, v] of [...Object.entries(es), ...Object.entries(en)]) assert.ok(v.trim().length > 0, k);
    });
  }

  test(`${app}: no key is defined by two parts`, () => {
    const seen = new Map();
    for (const p of parts) {
      for (const k of Object.keys(read(`${p}.es.json`))) {
        assert.ok(!seen.has(k), `${k} in ${seen.get(k)} and ${p}`);
        seen.set(k, p);
      }
    }
  });

  test(`${app}: the app imports every catalog`, () => {
    const src = readFileSync(path.join(dir, '..', 'i18n.ts'), 'utf8');
    for (const p of parts) {
      assert.ok(src.includes(`./messages/${p}.es.json`) && src.includes(`./messages/${p}.en.json`), p);
    }
  });
}

checkCatalogs('officer', path.resolve(import.meta.dirname, '..', 'src', 'officer', 'messages'));
checkCatalogs('verifier', path.resolve(import.meta.dirname, '..', 'src', 'verify', 'app', 'messages'));
