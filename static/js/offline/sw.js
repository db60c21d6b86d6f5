// The service worker of the inspection recording page (served at /inspection-sw.js, the static
// prefix put in front as STATIC_URL). Each recording page registers it with its own path as the
// scope, so it controls those pages only; requests those pages make pass through it.
//
// - the recording page: network first (a slow network gives way to the copy after a few
//   seconds), the last copy when offline;
// - static assets (css, js, icons): cache first, their names change when their content does;
// - data the page asked to keep: the drawn sample (network first, the copy when offline) and
//   the photos already recorded (cache first);
// - everything else, and every POST, goes to the network untouched: results are queued by the
//   page itself (IndexedDB, js/offline/inspection.js), never by the worker.
//
// The cache names are shared with js/offline/inspection.js, which fills them when the page is
// opened online. A new version of this file changes them and the old caches are deleted.
const VERSION = "v1";
const PAGES = `tandem-inspection-pages-${VERSION}`;
const ASSETS = `tandem-inspection-assets-${VERSION}`;
const DATA = `tandem-inspection-data-${VERSION}`;
const NETWORK_PATIENCE_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const current = [PAGES, ASSETS, DATA];
      for (const name of await caches.keys()) {
        if (name.startsWith("tandem-inspection-") && !current.includes(name)) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, PAGES, { patience: NETWORK_PATIENCE_MS }));
  } else if (url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(keptData(request));
  }
});

// A copy is stored only of a complete answer from our own server (no redirect, no error page).
function storable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

async function fromCache(cacheName, request) {
  const cache = await caches.open(cacheName);
  return cache.match(request.url, { ignoreVary: true });
}

async function networkFirst(request, cacheName, { patience = 0 } = {}) {
  const cache = await caches.open(cacheName);
  const network = fetch(request).then(async (response) => {
    if (storable(response)) await cache.put(request.url, response.clone());
    return response;
  });
  network.catch(() => {}); // a late failure after a stored copy was served is no error
  let timer;
  const slow = patience
    ? new Promise((resolve) => {
        timer = setTimeout(async () => resolve(await fromCache(cacheName, request)), patience);
      })
    : new Promise(() => {});
  try {
    // Whichever comes first: the network's answer, or (after `patience`) a stored copy.
    const answer = await Promise.race([network, slow.then((copy) => copy || network)]);
    return answer;
  } catch {
    return (await fromCache(cacheName, request)) || Response.error();
  } finally {
    clearTimeout(timer);
  }
}

async function cacheFirst(request) {
  const copy = await fromCache(ASSETS, request);
  if (copy) return copy;
  const response = await fetch(request);
  if (storable(response)) {
    const cache = await caches.open(ASSETS);
    await cache.put(request.url, response.clone());
  }
  return response;
}

// Only what the page put into DATA is kept; any other request passes as if there were no worker.
// A photo never changes under its address, so its copy is served without asking the network.
async function keptData(request) {
  const copy = await fromCache(DATA, request);
  if (!copy) return fetch(request);
  if (request.destination === "image") return copy;
  return networkFirst(request, DATA);
}
