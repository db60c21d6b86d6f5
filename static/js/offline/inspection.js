// Inspection room by room, offline: the recording page keeps working without a connection.
//
// The page (templates/kpis/_offline_panel.html) carries an element [data-offline-inspection] with
// the service worker's URL, the scope, the signed-in user and the texts (translated by the
// server). The page's own script (js/inspection_rooms.js) hands each room's result over in a
// "tandem:room-result" event on the room's element ([data-sampled-room]).
//
// Saving a room puts its result (fields and photos as Blobs) into an IndexedDB queue first, with
// a client_key (a UUID) of its own. A sender posts the queue in order whenever there is a
// connection (on load, on the `online` event, every SEND_EVERY_MS) and removes an item only
// after the server accepted it; the server answers a repeated client_key as it answered the
// first time, so a result whose answer was lost is sent again without being counted twice.
// An item the server refuses (the inspection was closed meanwhile, or the result is invalid)
// is kept, shown with the server's reason, until the inspector discards it.
(() => {
  "use strict";

  const root = document.querySelector("[data-offline-inspection]");
  if (!root) return;
  const texts = JSON.parse(document.getElementById(root.dataset.texts).textContent);
  const user = root.dataset.user;

  // Shared with js/offline/sw.js.
  const VERSION = "v1";
  const PAGES = `tandem-inspection-pages-${VERSION}`;
  const ASSETS = `tandem-inspection-assets-${VERSION}`;
  const DATA = `tandem-inspection-data-${VERSION}`;
  const SEND_EVERY_MS = 20000;

  const statusBox = root.querySelector("[data-offline-status]");
  const connectionBox = root.querySelector("[data-offline-connection]");
  const conflictBox = root.querySelector("[data-offline-conflicts]");
  const conflictList = conflictBox.querySelector("ul");
  let notice = ""; // why sending stopped (signed out), shown until a send succeeds

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ""));
  }

  // --- the queue (IndexedDB, one store; items in the order they were saved) -----------------
  const STORE = "results";
  const database = new Promise((resolve, reject) => {
    const opening = indexedDB.open("tandem-offline", 1);
    opening.onupgradeneeded = () => {
      const store = opening.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      store.createIndex("client_key", "client_key", { unique: true });
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  // Until the queue is open (or if it cannot be: a browser without storage) the page sends
  // each result itself.
  let queueOpen = false;
  database.then(
    () => (queueOpen = true),
    () => (connectionBox.textContent = texts.unsupported),
  );

  async function write(change) {
    const db = await database;
    const transaction = db.transaction(STORE, "readwrite");
    change(transaction.objectStore(STORE));
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  async function queued() {
    const db = await database.catch(() => null);
    if (!db) return []; // no queue on this device: nothing waits here
    const request = db.transaction(STORE).objectStore(STORE).getAll();
    const items = await new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return items.filter((item) => item.user === user);
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // --- saving a room ---------------------------------------------------------------------
  // The recording page's own script (js/inspection_rooms.js) turns a room's form into the
  // API's fields and, before sending, offers them in a cancelable "tandem:room-result" event;
  // this queue takes every one over, so there is a single sender. Without this script (or
  // without IndexedDB) the page sends the result itself.
  function fieldsOf(formData) {
    const fields = [];
    for (const [name, value] of formData) {
      if (name === "client_key") continue;
      if (value instanceof File) fields.push({ name, file: value, filename: value.name || "photo" });
      else fields.push({ name, value });
    }
    return fields;
  }

  document.addEventListener("tandem:room-result", (event) => {
    const room = event.target.closest("[data-sampled-room]");
    if (!room || !queueOpen) return;
    event.preventDefault();
    queueRoom(room, event.detail).catch(() => {
      // Not stored (the device is full, say): the inspector is told, the form keeps its values,
      // and from now on the page sends each result itself.
      queueOpen = false;
      const message = room.querySelector("[data-room-message]");
      if (message) message.textContent = texts.not_saved;
    });
  });

  async function queueRoom(room, { url, formData, clientKey }) {
    const fields = fieldsOf(formData);
    const item = {
      client_key: clientKey || newKey(),
      user,
      sampled_room: room.dataset.sampledRoom,
      url,
      label: room.dataset.roomLabel || room.dataset.roomCode || room.dataset.sampledRoom,
      inspection: root.dataset.inspectionLabel || "",
      fields,
      photos: fields.filter((field) => field.file).length,
      saved_at: new Date().toISOString(),
      state: "waiting",
      message: "",
    };
    await write((store) => store.add(item));
    const form = room.querySelector("form");
    for (const input of form ? form.querySelectorAll("input[type=file]") : []) input.value = "";
    room.dispatchEvent(new CustomEvent("tandem:room-queued", { bubbles: true, detail: item }));
    await render();
    sendWaiting();
  }

  // --- sending -----------------------------------------------------------------------------
  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
  }

  async function reason(response) {
    try {
      const body = await response.json();
      if (typeof body.detail === "string") return body.detail;
      const messages = [];
      for (const value of Object.values(body)) {
        for (const message of [value].flat(2)) {
          if (typeof message === "string") messages.push(message);
        }
      }
      return messages.join(" ");
    } catch {
      return "";
    }
  }

  async function post(item) {
    const body = new FormData();
    for (const field of item.fields) {
      if (field.file) body.append(field.name, field.file, field.filename);
      else body.append(field.name, field.value);
    }
    body.append("client_key", item.client_key);
    return fetch(item.url, {
      method: "POST",
      body,
      credentials: "same-origin",
      redirect: "manual", // a sign-in page is not an answer: keep the item
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
  }

  // What the server's answer means for the item: sent, refused (kept as a conflict), or try
  // again later (no connection, a server error, throttled, or signed out).
  const REFUSED = new Set([400, 404, 409, 410, 413, 415, 422]);

  async function sendInOrder() {
    for (const item of await queued()) {
      if (item.state !== "waiting") continue;
      let response;
      try {
        response = await post(item);
      } catch {
        return; // no connection after all
      }
      if (response.ok) {
        notice = "";
        await write((store) => store.delete(item.seq));
        markRoom(item.sampled_room, "sent");
        const answer = await response.json().catch(() => ({}));
        const room = document.querySelector(`[data-sampled-room="${CSS.escape(item.sampled_room)}"]`);
        if (room) room.dispatchEvent(new CustomEvent("tandem:room-sent", { bubbles: true, detail: answer }));
      } else if (REFUSED.has(response.status)) {
        const why = (await reason(response)) || texts.refused;
        await write((store) => store.put({ ...item, state: "conflict", message: why }));
      } else {
        if ([0, 401, 403].includes(response.status)) {
          const why = response.status ? await reason(response) : "";
          notice = [texts.signed_out, why].filter(Boolean).join(" ");
        }
        return;
      }
      await render();
    }
  }

  let sending = null;
  function sendWaiting() {
    if (sending || !navigator.onLine) return sending;
    const run = () => sendInOrder();
    // One sender per device, even with the page open in two tabs.
    const locked = navigator.locks ? navigator.locks.request("tandem-offline-send", run) : run();
    // A failure of the device's storage leaves the items where they are, for the next round.
    sending = locked.catch(() => {}).finally(async () => {
      sending = null;
      await render();
    });
    return sending;
  }

  // --- what the inspector sees ---------------------------------------------------------------
  // The room's badge sits in its summary line, so it shows with the room folded too; the
  // room's own message line (aria-live) says it as well.
  const LOOKS = { waiting: "text-bg-warning", sent: "text-bg-success", conflict: "text-bg-danger" };
  function markRoom(sampledRoom, state) {
    const room = document.querySelector(`[data-sampled-room="${CSS.escape(sampledRoom)}"]`);
    if (!room) return;
    let badge = room.querySelector("[data-room-offline-state]");
    if (!badge) {
      badge = document.createElement("span");
      badge.setAttribute("data-room-offline-state", "");
      (room.querySelector("summary") || room).append(badge);
    }
    if (badge.dataset.roomOfflineState === state) return;
    badge.className = `badge ${LOOKS[state]}`;
    badge.dataset.roomOfflineState = state;
    badge.textContent = texts[`room_${state}`];
    room.dataset.offlineState = state;
    const message = room.querySelector("[data-room-message]");
    if (message) message.textContent = texts[`room_${state}`];
  }

  function conflictEntry(item) {
    const entry = document.createElement("li");
    entry.className = "border border-danger-subtle rounded p-2 mb-2";
    entry.dataset.offlineConflict = item.client_key;
    const title = document.createElement("p");
    title.className = "mb-1 fw-semibold";
    title.textContent = [item.inspection, item.label].filter(Boolean).join(" · ");
    const detail = document.createElement("p");
    detail.className = "mb-1";
    // In the app's time zone, as the server's messages give their times.
    const saved = new Date(item.saved_at).toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "short",
      timeStyle: "short",
      timeZone: root.dataset.timeZone || undefined,
    });
    detail.textContent = format(texts.conflict_detail, { saved, photos: item.photos });
    const why = document.createElement("p");
    why.className = "mb-2";
    why.textContent = item.message;
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-danger";
    discard.dataset.offlineDiscard = item.client_key;
    discard.dataset.confirm = texts.discard_confirm;
    discard.textContent = texts.discard;
    entry.append(title, detail, why, discard);
    return entry;
  }

  async function render() {
    const items = await queued();
    const waiting = items.filter((item) => item.state === "waiting");
    const conflicts = items.filter((item) => item.state === "conflict");
    statusBox.dataset.waiting = String(waiting.length);
    statusBox.textContent = waiting.length
      ? format(waiting.length === 1 ? texts.waiting_one : texts.waiting_other, { count: waiting.length })
      : texts.all_sent;
    const offline = !navigator.onLine;
    connectionBox.textContent = notice || (offline ? texts.offline : "");
    root.dataset.connection = offline ? "offline" : "online";
    // Shown by this script only (without it nothing here would be true); where nothing can be
    // recorded, only while this device still holds results.
    root.hidden = root.dataset.recording === "false" && !items.length;
    conflictBox.hidden = !conflicts.length;
    conflictBox.dataset.conflicts = String(conflicts.length);
    conflictList.replaceChildren(...conflicts.map(conflictEntry));
    for (const item of items) markRoom(item.sampled_room, item.state);
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-offline-discard]");
    if (!button || event.defaultPrevented) return; // tandem.js asked first (data-confirm)
    const item = (await queued()).find((entry) => entry.client_key === button.dataset.offlineDiscard);
    if (item) await write((store) => store.delete(item.seq));
    await render();
  });

  // --- keeping the page for offline use ------------------------------------------------------
  function sameOrigin(url) {
    const parsed = new URL(url, location.href);
    return parsed.origin === location.origin ? parsed.href : null;
  }

  const STATIC_PREFIX = new URL(root.dataset.staticUrl, location.href).href;

  function assetsOfPage() {
    const urls = [
      ...[...document.querySelectorAll("script[src]")].map((el) => el.src),
      ...[...document.querySelectorAll("link[rel~=stylesheet][href], link[rel~=icon][href]")].map((el) => el.href),
      ...[...document.querySelectorAll("img[src]")].map((el) => el.src),
    ];
    return [...new Set(urls.map(sameOrigin).filter((url) => url && url.startsWith(STATIC_PREFIX)))];
  }

  // The photos already recorded for the drawn rooms (served by the app, not from /static/).
  function photosOfPage() {
    const urls = [...document.querySelectorAll("[data-sampled-room] img[src]")].map((el) => el.src);
    return [...new Set(urls.map(sameOrigin).filter((url) => url && !url.startsWith(STATIC_PREFIX)))];
  }

  async function keep(cacheName, urls, { refresh = false } = {}) {
    const cache = await caches.open(cacheName);
    await Promise.all(
      urls.map(async (url) => {
        if (refresh || !(await cache.match(url, { ignoreVary: true }))) await cache.add(url);
      }),
    );
  }

  async function prepareOffline() {
    if (!("serviceWorker" in navigator) || !window.caches || !window.indexedDB) {
      connectionBox.textContent = texts.unsupported;
      return;
    }
    // Read before registering: the new worker claims the page as it starts.
    const controlledAtLoad = Boolean(navigator.serviceWorker.controller);
    await navigator.serviceWorker.register(root.dataset.swUrl, {
      scope: root.dataset.scope,
      updateViaCache: "none",
    });
    await navigator.serviceWorker.ready;
    if (navigator.onLine) {
      await keep(ASSETS, assetsOfPage());
      // A page the worker served keeps its own copy (the worker stores each fresh one).
      if (!controlledAtLoad) await keep(PAGES, [location.href], { refresh: true });
      // The data is a convenience (the page itself lists the drawn rooms): an answer that
      // cannot be kept now leaves the copy kept before.
      const data = (root.dataset.keep || "").split(" ").filter(Boolean);
      await keep(DATA, data, { refresh: true }).catch(() => {});
      await keep(DATA, photosOfPage()).catch(() => {});
    }
    root.dataset.offlineReady = "true";
  }

  window.addEventListener("online", () => {
    render();
    sendWaiting();
  });
  window.addEventListener("offline", render);
  setInterval(sendWaiting, SEND_EVERY_MS);
  render().then(sendWaiting);
  prepareOffline().catch(() => {
    connectionBox.textContent = texts.unsupported;
  });
})();
