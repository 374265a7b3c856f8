// The verifier's storage on the phone: one IndexedDB object store of
// records by name — the pinned root, the last lists that verified, the
// institution key (only ever as ciphertext under the PIN). Nothing about a
// card scanned is ever stored.
const DB_NAME = 'puente-verify';
const STORE = 'kv';

let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB cannot be opened'));
  });
  return opened;
}

function request<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return db().then((d) => new Promise<T>((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const req = run(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result as T);
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  }));
}

export function load<T>(key: string): Promise<T | undefined> {
  return request<T | undefined>('readonly', (s) => s.get(key));
}

/** Written in one transaction: a failed write leaves the old record. */
export function save(key: string, value: unknown): Promise<void> {
  return request<void>('readwrite', (s) => s.put(value, key)).then(() => undefined);
}

export function remove(key: string): Promise<void> {
  return request<void>('readwrite', (s) => s.delete(key)).then(() => undefined);
}
