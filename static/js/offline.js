/* Offline use (docs/offline.md), as progressive enhancement: registers the service worker,
   says when a page is the saved copy, sends kept answers when the connection returns, offers
   "Save this module for offline" on a module page and keeps an open attempt's question pages.
   Without service workers nothing here runs and every page works as it does without JavaScript. */
(function () {
  'use strict';
  var me = document.currentScript, d = me.dataset, sw = navigator.serviceWorker;
  if (!sw || !window.caches) return;
  var KEY = 'elearn-saved';

  function note(text, id) {
    var old = document.getElementById(id);
    if (old) old.remove();
    var p = document.createElement('p');
    p.className = 'flash'; p.id = id; p.setAttribute('role', 'status'); p.textContent = text;
    document.getElementById('main').prepend(p);
  }
  function worker() { return sw.ready.then(function (r) { return r.active; }); }
  function flush() { worker().then(function (w) { w.postMessage({type: 'flush'}); }); }
  function common() {
    var css = document.querySelector('link[rel=stylesheet]');
    return [d.offlinePage, d.queuedPage, me.src, css && css.href].filter(Boolean);
  }
  function keep(urls) { return worker().then(function (w) { w.postMessage({type: 'pages', urls: urls.concat(common())}); }); }

  sw.register('/sw.js').catch(function () {});
  sw.addEventListener('message', function (e) { if (e.data && e.data.sent) note(d.tSent, 'offline-note'); });
  window.addEventListener('online', flush);
  window.addEventListener('offline', function () { note(d.tOffline, 'offline-note'); });
  if (navigator.onLine) flush(); else note(d.tOffline, 'offline-note');
  // A page opened offline may not hear `online` (a flaky link): try again now and then.
  setInterval(function () { if (navigator.onLine) flush(); }, 20000);

  if (d.attempt && navigator.onLine) keep(d.attempt.split(' '));
  // Offered only once a service worker runs: without one a saved copy could never be opened.
  if (d.module) sw.ready.then(moduleBox);

  function saved() { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; } }
  function remember(entry) {
    var all = saved();
    if (entry) all[d.module] = entry; else delete all[d.module];
    localStorage.setItem(KEY, JSON.stringify(all));
  }
  function usage() {
    return navigator.storage && navigator.storage.estimate ? navigator.storage.estimate().then(function (e) { return e.usage; })
      : Promise.resolve(0);
  }
  function kb(n) { return (n / 1024).toFixed(n < 10240 ? 1 : 0) + ' KB'; }

  function moduleBox() {
    var pages = d.pages.split(' '), box = document.createElement('section'), status = document.createElement('p'),
      button = document.createElement('button'), remove = document.createElement('button');
    box.className = 'offline'; box.id = 'offline';
    status.setAttribute('role', 'status');
    button.type = remove.type = 'button'; remove.className = 'link'; remove.textContent = d.tRemove;
    box.append(status, button, remove);
    (document.querySelector('ol.lessons') || document.getElementById('main').lastChild).before(box);

    function show(entry, message) {
      box.dataset.state = entry ? 'saved' : 'none';
      button.textContent = entry ? d.tSaved : d.tSave;
      button.disabled = !!entry; remove.hidden = !entry;
      status.textContent = message || (entry ? d.tSize.replace('{size}', kb(entry.bytes))
        .replace('{before}', kb(entry.before)).replace('{after}', kb(entry.after)) : '');
      if (entry) box.dataset.bytes = entry.bytes;
    }
    function save(updated) {
      button.disabled = true; button.textContent = d.tSaving;
      var before;
      return usage().then(function (u) { before = u; return caches.open('elearn-pages'); }).then(function (cache) {
        var urls = pages.concat(common());
        return Promise.all(urls.map(function (url) {
          return fetch(url, {credentials: 'same-origin'}).then(function (r) {
            if (!r.ok) throw new Error(url);
            return r.blob().then(function (b) {
              return cache.put(url, new Response(b, {headers: r.headers})).then(function () { return b.size; });
            });
          });
        }));
      }).then(function (sizes) {
        return usage().then(function (after) {
          var entry = {version: d.version, user: d.user, bytes: sizes.reduce(function (a, b) { return a + b; }, 0),
                       before: before, after: after};
          remember(entry); show(entry);
          if (updated) status.textContent = d.tUpdated + ' ' + status.textContent;
        });
      }).catch(function () { show(null, d.tFailed); });
    }
    button.addEventListener('click', function () { save(false); });
    remove.addEventListener('click', function () {
      caches.open('elearn-pages').then(function (cache) {
        return Promise.all(pages.slice(1).map(function (url) { return cache.delete(url); }));
      }).then(function () { remember(null); show(null); });
    });

    var entry = saved()[d.module];
    caches.match(pages[1], {ignoreVary: true}).then(function (hit) {
      if (!entry || !hit || entry.user !== d.user) return show(null);
      if (entry.version !== d.version && navigator.onLine) return save(true);
      show(entry);
    });
  }
})();
