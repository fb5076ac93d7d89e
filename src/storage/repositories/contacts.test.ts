// Contact search reads the trigram indexes of migration 04 for rare terms and scans newest first for
// common ones; either way the answer is exactly what lower(name) / identity LIKE '%term%' gives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.ts';
import { migrateToLatest, openStorage, type Storage } from '../database.ts';
import { findContactsMatching } from './contacts.ts';

let dir: string;
let storage: Storage;
let workspaceId: string;
const names: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portier-contacts-'));
  storage = await openStorage({ databaseUrl: null, dataDir: dir });
  await migrateToLatest(storage.db);
  const now = Date.now();
  workspaceId = newId(now);
  await storage.db.insertInto('workspace').values({ id: workspaceId, handle: 'c', name: 'C', locale: 'fr', languages: 'fr', time_zone: 'Europe/Zurich', created_at: now, updated_at: now }).execute();
  // 600 "Anna …" (more than the trigram limit), a few rare names, one found by its e-mail only.
  const rows = [...Array.from({ length: 600 }, (_, i) => `Anna Keller ${i}`), 'Zoë Brunner', 'ZOË Favre', 'Marc 100% Meier', 'Luca_Rossi', 'Élise Dubois'];
  for (const [i, name] of rows.entries()) {
    const id = newId(now + i);
    names.push(name);
    await storage.db.insertInto('contact').values({ id, workspace_id: workspaceId, display_name: name, stage: 'inquiry', first_entrance_id: null, referred_by_contact_id: null, referred_by_text: null, notes: null, next_action: null, next_action_at: null, merged_into_id: null, created_at: now + i, updated_at: now + i }).execute();
    if (name === 'Luca_Rossi') await storage.db.insertInto('identity').values({ id: newId(now), workspace_id: workspaceId, contact_id: id, kind: 'email', value: 'l.rossi@atelier-lugano.ch', value_normalized: 'l.rossi@atelier-lugano.ch', verified: 0, created_at: now }).execute();
  }
});
afterAll(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const search = async (term: string, limit = 10) => (await findContactsMatching(storage.db, workspaceId, term, limit)).map((c) => c.display_name);

describe('findContactsMatching on SQLite', () => {
  it('finds rare terms by name or identity, case-insensitively for ASCII like LIKE does', async () => {
    expect(await search('brunner')).toEqual(['Zoë Brunner']);
    expect(await search('BRUN')).toEqual(['Zoë Brunner']);
    expect(await search('atelier-lugano')).toEqual(['Luca_Rossi']);
    expect(await search('no such person')).toEqual([]);
    // lower() folds ASCII only, as before: "zoë" finds "Zoë" but not "ZOË".
    expect(await search('zoë')).toEqual(['Zoë Brunner']);
  });

  it('treats the term\'s own % and _ literally', async () => {
    expect(await search('100%')).toEqual(['Marc 100% Meier']);
    expect(await search('a_r')).toEqual(['Luca_Rossi']);
    expect(await search('ca_')).toEqual(['Luca_Rossi']);
  });

  it('pages a common term newest first, and short terms still work', async () => {
    expect(await search('anna', 3)).toEqual(['Anna Keller 599', 'Anna Keller 598', 'Anna Keller 597']);
    expect(await search('ké', 5)).toEqual([]);
    // Luca by the "el" of his e-mail's "atelier".
    expect(await search('el', 2)).toEqual(['Luca_Rossi', 'Anna Keller 599']);
    expect(await search('lise')).toEqual(['Élise Dubois']);
  });
});
