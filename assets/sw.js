/* The installable app's service worker (rxapp/pwa.py registers it on every page).
 *
 * It caches the app's shell: the built, content-hashed files under /assets/, the
 * icons, the style sheet and the offline page. It never caches personal data:
 * pages come from the network (their data arrives over the websocket, /_event,
 * which a service worker never sees), and /api/ (statements, attestation) and
 * anything that is not a plain GET of the site itself are left to the network.
 * With the network gone, a page shows the French offline page.
 */
const VERSION = "ameli-shell-v1";
const OFFLINE_PAGE = "/offline.html";
const PRECACHE = [
  OFFLINE_PAGE,
  "/manifest.webmanifest",
  "/styles.css",
  "/favicon.ico",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/apple-touch-icon.png",
];
const NEVER_CACHED = ["/api/", "/_event", "/_upload", "/_health", "/ping", "/metrics"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(VERSION).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== VERSION).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

function isShellFile(url) {
  return url.pathname.startsWith("/assets/") || PRECACHE.includes(url.pathname);
}

async function shellFile(request) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  const noStore = (response.headers.get("Cache-Control") || "").includes("no-store");
  if (response.ok && response.type === "basic" && !noStore) {
    await cache.put(request, response.clone());
  }
  return response;
}

async function page(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(VERSION);
    return (await cache.match(OFFLINE_PAGE)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (isShellFile(url)) {
    event.respondWith(shellFile(request));
  }
});
