// What the verifier trusts, as `puente-verify update` keeps it
// (apps/puente_verify): the root public key, pinned once by the fingerprint
// the centre publishes (or installed from its file), and the last trust and
// revocation lists that verified against it. New lists replace the old only
// when both verify and neither is older (a replayed download must not
// un-revoke a card); a failed refresh keeps the lists in use.
import { hex, hexToBytes } from '../core/bytes.js';
import { createVerifier, ListError, rootKeyFromFile, type Verifier } from '../core/index.js';
import { load, remove, save } from './store.js';

export interface PinnedRoot {
  file: string; // the puente-public-key-v1 JSON, as the centre serves it
  fingerprint: string; // SHA-256 of the raw public key, hex (as `puente keys` prints)
  pinnedAt: number; // ms
  server: string; // where the lists come from (the app's own origin by default)
}

export interface StoredLists {
  trust: Uint8Array;
  revocation: Uint8Array;
  refreshedAt: number; // ms
}

export interface TrustState {
  root: PinnedRoot;
  lists?: StoredLists;
  verifier?: Verifier;
}

/** A refresh or install that changed nothing; `code` picks the message. */
export class TrustError extends Error {
  constructor(readonly code: 'offline' | 'server' | 'root-format' | 'root-changed' | 'list-invalid' | 'list-older',
    readonly detail = '') {
    super(`${code}${detail ? `: ${detail}` : ''}`);
  }
}

/** The fingerprint of a root key file; TrustError('root-format') if it is not one. */
export async function fingerprint(file: string): Promise<string> {
  try {
    await rootKeyFromFile(file);
  } catch (e) {
    throw new TrustError('root-format', e instanceof Error ? e.message : String(e));
  }
  // rootKeyFromFile has checked that public_key is hex.
  const raw = hexToBytes((JSON.parse(file) as { public_key: string }).public_key)!;
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', raw as BufferSource)));
}

/** 64 hex characters in 16 groups of 4, easier to compare aloud. */
export function groupedFingerprint(fp: string): string {
  return fp.match(/.{1,4}/g)!.join(' ');
}

async function fetchBytes(server: string, path: string): Promise<Uint8Array> {
  let r: Response;
  try {
    r = await fetch(new URL(path, server), { cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch {
    throw new TrustError('offline');
  }
  if (!r.ok) throw new TrustError('server', `${path}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** The root key file the server offers, with its fingerprint, to be confirmed by the user. */
export async function offeredRoot(server: string): Promise<{ file: string; fingerprint: string }> {
  const file = new TextDecoder().decode(await fetchBytes(server, 'api/v1/keys/root'));
  return { file, fingerprint: await fingerprint(file) };
}

export async function loadTrust(): Promise<TrustState | null> {
  const root = await load<PinnedRoot>('root');
  if (!root) return null;
  const state: TrustState = { root };
  const lists = await load<StoredLists>('lists');
  if (lists) {
    try {
      state.verifier = await createVerifier(await rootKeyFromFile(root.file), lists.trust, lists.revocation);
      state.lists = lists;
    } catch {
      // Stored lists that no longer verify are not used (never happens unless the store was altered).
    }
  }
  return state;
}

/**
 * Downloads both lists, verifies them against the pinned root and stores them
 * only if both verify and neither is older than the ones in use. The server
 * must still offer the pinned root: a different one changes nothing.
 */
export async function refreshLists(state: TrustState): Promise<TrustState> {
  const offered = await offeredRoot(state.root.server);
  if (offered.fingerprint !== state.root.fingerprint) throw new TrustError('root-changed', offered.fingerprint);
  const trust = await fetchBytes(state.root.server, 'api/v1/lists/trust');
  const revocation = await fetchBytes(state.root.server, 'api/v1/lists/revocation');
  return adoptLists(state, trust, revocation);
}

/** Lists from a file or a download: verified, compared with the ones in use, then stored. */
export async function adoptLists(state: TrustState, trust: Uint8Array, revocation: Uint8Array): Promise<TrustState> {
  let verifier: Verifier;
  try {
    verifier = await createVerifier(await rootKeyFromFile(state.root.file), trust, revocation);
  } catch (e) {
    throw new TrustError('list-invalid', e instanceof ListError ? e.message : String(e));
  }
  const old = state.verifier;
  if (old && old.trustList.sequence > verifier.trustList.sequence) throw new TrustError('list-older', 'trust list');
  if (old && old.revocationList.sequence > verifier.revocationList.sequence) {
    throw new TrustError('list-older', 'revocation list');
  }
  const lists: StoredLists = { trust, revocation, refreshedAt: Date.now() };
  await save('lists', lists);
  return { root: state.root, lists, verifier };
}

/** Pins `file` (after the user compared its fingerprint) and fetches the first lists. */
export async function pinRoot(file: string, server: string): Promise<TrustState> {
  const root: PinnedRoot = { file, fingerprint: await fingerprint(file), pinnedAt: Date.now(), server };
  await save('root', root);
  return { root };
}

/** Forgets the root and the lists (the settings' reset). */
export async function forgetTrust(): Promise<void> {
  await remove('lists');
  await remove('root');
}
