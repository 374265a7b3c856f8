// The verifier's service worker: every file of the app (the page, script,
// style, the QR reader's WebAssembly, manifest, icon) is cached at install
// under a version made of their hashes (build.mjs fills PRECACHE_*), and
// served from that cache, so after the first visit the app starts with no
// network at all. The lists are not fetched through here: the app keeps
// them in IndexedDB and asks the server itself. Nothing else is cached.
declare const PRECACHE_VERSION: string;
declare const PRECACHE_FILES: string[];

interface ExtendableEvent extends Event { waitUntil(p: Promise<unknown>): void }
interface FetchEvent extends ExtendableEvent { request: Request; respondWith(r: Promise<Response> | Response): void }
interface WorkerScope {
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
}

const worker = self as unknown as WorkerScope;
const CACHE = `puente-verify-${PRECACHE_VERSION}`;
const scope = new URL(worker.registration.scope);
const files = new Set(PRECACHE_FILES.map((f) => new URL(f, scope).href));

worker.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll([...files])).then(() => worker.skipWaiting()));
});

worker.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('puente-verify-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => worker.clients.claim()));
});

worker.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  url.search = '';
  url.hash = '';
  // The page itself, however it was asked for (/verify/, /verify/index.html, ?lang=…).
  const key = req.mode === 'navigate' && url.href.startsWith(scope.href) ? scope.href : url.href;
  if (!files.has(key)) return; // the lists, the API: the network, as the app asked
  e.respondWith(caches.open(CACHE).then(async (c) => (await c.match(key)) ?? fetch(req)));
});
