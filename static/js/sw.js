/* elearn's service worker (docs/offline.md). Pages come from the network first; a page the
   learner saved for offline (or a question page of an attempt opened online) is kept in the
   cache and answered from it when the network fails. Forms sent offline (answers, submissions,
   lessons marked complete) are kept in IndexedDB and sent again, in order, through the same
   endpoints when the connection returns: the server's once-only rules stay the judge. */
'use strict';
var VERSION = '__VERSION__';
var PAGES = 'elearn-pages';          // the learner's saved pages: kept across releases
var STATIC = 'elearn-static-' + VERSION;  // stylesheet, script, icon: dropped on a new release
var QUEUED = /^\/(ar|en)\/(attempts\/\d+\/(\d+|submit)|modules\/[^/]+\/[^/]+\/complete)$/;

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf('elearn-static-') === 0 && n !== STATIC; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function db() {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open('elearn', 1);
    open.onupgradeneeded = function () { open.result.createObjectStore('queue', {autoIncrement: true}); };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
}

function store(mode, work) {
  return db().then(function (conn) {
    return new Promise(function (resolve, reject) {
      var tx = conn.transaction('queue', mode), result = work(tx.objectStore('queue'));
      tx.oncomplete = function () { resolve(result && result.result); };
      tx.onerror = function () { reject(tx.error); };
    });
  });
}

function firstQueued() {
  return db().then(function (conn) {
    return new Promise(function (resolve) {
      var req = conn.transaction('queue').objectStore('queue').openCursor();
      req.onsuccess = function () { var c = req.result; resolve(c ? {key: c.key, item: c.value} : null); };
      req.onerror = function () { resolve(null); };
    });
  });
}

// One replay at a time (the page's `online` listener, Background Sync and a fetch may all ask):
// each kept form is sent once, then removed; on a network error the rest wait for the next try.
var flushing = null;
function flush() {
  if (!flushing) flushing = sendNext().then(function (sent) { flushing = null; return sent; },
                                            function () { flushing = null; return 0; });
  return flushing;
}

function sendNext(sent) {
  sent = sent || 0;
  return firstQueued().then(function (first) {
    if (!first) return sent;
    return fetch(first.item.url, {method: 'POST', body: first.item.body, credentials: 'same-origin',
                                  redirect: 'manual',
                                  headers: {'Content-Type': 'application/x-www-form-urlencoded'}})
      .then(function () {
        return store('readwrite', function (s) { s.delete(first.key); }).then(function () { return sendNext(sent + 1); });
      });
  }).then(function (n) {
    if (n && !sent) tell({sent: n});
    return n;
  });
}

function tell(message) {
  self.clients.matchAll().then(function (clients) { clients.forEach(function (c) { c.postMessage(message); }); });
}

self.addEventListener('sync', function (event) { if (event.tag === 'elearn-queue') event.waitUntil(flush()); });
self.addEventListener('message', function (event) {
  var data = event.data || {};
  if (data.type === 'flush') event.waitUntil(flush());
  if (data.type === 'pages') event.waitUntil(caches.open(PAGES).then(function (c) { return keep(c, data.urls); }));
});

// Store pages as the signed-in learner sees them, never a page marked no-store.
function keep(cache, urls) {
  return Promise.all(urls.map(function (url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (response) {
      if (storable(response)) return cache.put(url, response);
    });
  }));
}

function storable(response) {
  return response.ok && response.type === 'basic' && !/no-store/.test(response.headers.get('Cache-Control') || '');
}

function langOf(url) { var m = /^\/(ar|en)\//.exec(new URL(url).pathname); return m ? m[1] : 'en'; }

// Where the server would have sent the learner after this form: the page asked for.
function after(url, body) {
  var path = new URL(url).pathname, lang = langOf(url);
  var m = /^(\/(?:ar|en)\/attempts\/\d+)\/(\d+)$/.exec(path);
  if (!m) return '/' + lang + '/offline/queued';
  var go = new URLSearchParams(body).get('go') || 'next', n = +m[2];
  if (go === 'prev' && n > 1) return m[1] + '/' + (n - 1);
  if (go === 'next') return m[1] + '/' + (n + 1);
  if (/^\d{1,5}$/.test(go)) return m[1] + '/' + go;
  return m[1] + '/review';
}

function post(event) {
  var copy = event.request.clone();
  return fetch(event.request).then(function (response) { flush(); return response; }, function () {
    return copy.text().then(function (body) {
      return store('readwrite', function (s) { s.add({url: copy.url, body: body, at: Date.now()}); }).then(function () {
        if (self.registration.sync) self.registration.sync.register('elearn-queue').catch(function () {});
        var target = after(copy.url, body);
        return caches.match(target).then(function (hit) {
          // Past the last question the next page does not exist: the review page (or "kept").
          return Response.redirect(hit ? target : '/' + langOf(copy.url) + '/offline/queued', 303);
        });
      });
    });
  });
}

// Signing out: send what is kept (it is this learner's), then forget their pages and queue.
function logout(event) {
  return flush().then(function () {
    return Promise.all([caches.delete(PAGES), store('readwrite', function (s) { s.clear(); })]);
  }).catch(function () {}).then(function () { return fetch(event.request); });
}

function page(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    // A saved page seen online is refreshed, so the saved copy follows the learner's progress.
    if (storable(response)) {
      var copy = response.clone();
      // (caches.match, not caches.open: opening would bring back the cache a sign-out deleted)
      caches.match(request, {cacheName: PAGES}).then(function (hit) {
        if (hit) return caches.open(PAGES).then(function (c) { return c.put(request, copy); });
      });
    }
    flush();
    return response;
  }, function () {
    return caches.match(request, {ignoreVary: true}).then(function (hit) {
      return hit || caches.match('/' + langOf(request.url) + '/offline', {ignoreVary: true})
        .then(function (offline) { return offline || Response.error(); });
    });
  });
}

function asset(event) {
  return caches.match(event.request).then(function (hit) {
    return hit || fetch(event.request).then(function (response) {
      if (storable(response)) {
        var copy = response.clone();
        caches.open(STATIC).then(function (c) { c.put(event.request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.method === 'POST') {
    if (/^\/(ar|en)\/logout$/.test(url.pathname)) event.respondWith(logout(event));
    else if (QUEUED.test(url.pathname)) event.respondWith(post(event));
    return;
  }
  if (request.method !== 'GET') return;
  if (url.pathname.indexOf('/static/') === 0 && url.searchParams.get('v')) event.respondWith(asset(event));
  else if (request.mode === 'navigate') event.respondWith(page(event));
});
