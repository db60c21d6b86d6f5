// Recording an inspection room by room: each room's form is sent to the API's result endpoint
// (its data-result-url) with a client_key, so a repeat changes nothing. Without this script the
// form posts to the page's own route and the page comes back; both end in the same service.
//
// Before sending, a cancelable "tandem:room-result" event is dispatched on the room's element
// with {url, formData, clientKey}; an offline queue may take the result over (preventDefault)
// and send it later with the same key.
(() => {
  const page = document.getElementById("inspection-rooms");
  if (!page) return;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // The form's fields as the API takes them: elements as a JSON list, photos by defect kind.
  function apiData(form) {
    const fields = new FormData(form);
    const data = new FormData();
    data.append("client_key", fields.get("client_key"));
    data.append("state", fields.get("state") || "");
    data.append("reason", fields.get("reason") || "");
    data.append("note", fields.get("note") || "");
    const elements = [];
    const count = Number(fields.get("element_count") || 0);
    for (let i = 0; i < count; i += 1) {
      const name = (fields.get(`element-${i}`) || "").trim();
      const result = fields.get(`result-${i}`) || "skip";
      if (!name || result === "skip") continue;
      elements.push({
        element: name,
        dirt: result === "dirt" ? 1 : 0,
        method: result === "method" ? 1 : 0,
        material: result === "material" ? 1 : 0,
      });
    }
    if (fields.get("state") === "inspected") data.append("elements", JSON.stringify(elements));
    const kind = fields.get("photo_kind") || "dirt";
    for (const file of fields.getAll("photo")) {
      if (file && file.size) data.append(`photo_${kind}`, file);
    }
    return data;
  }

  function errorText(body) {
    if (!body || typeof body !== "object") return "";
    return Object.entries(body)
      .map(([key, value]) => (Array.isArray(value) ? value.join(" ") : typeof value === "string" ? value : JSON.stringify(value)))
      .join(" ");
  }

  function nextRoom(room) {
    const details = room.querySelector("details");
    if (details) details.open = false;
    // A room queued on the device is still pending on the server: skip it (the queue marks it).
    const next = document.querySelector(
      '[data-sampled-room][data-state="pending"]:not([data-offline-state]) details',
    );
    if (next && next.closest("[data-sampled-room]") !== room) {
      next.open = true;
      next.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }

  function showResult(room, body) {
    room.dataset.state = body.state;
    const badge = room.querySelector("[data-room-state]");
    if (badge) {
      badge.className = `ms-auto badge room-state room-state-${body.state}`;
      badge.textContent = page.dataset[`label${body.state === "inspected" ? "Inspected" : "NotInspected"}`] || body.state;
    }
    nextRoom(room);
  }

  // The offline queue stored a result on the device: move on to the next room; once the server
  // accepted it, show its state as after a direct send.
  document.addEventListener("tandem:room-queued", (event) => {
    const room = event.target.closest && event.target.closest("[data-sampled-room]");
    if (room) nextRoom(room);
  });
  document.addEventListener("tandem:room-sent", (event) => {
    const room = event.target.closest && event.target.closest("[data-sampled-room]");
    if (room && event.detail && event.detail.state) showResult(room, event.detail);
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-room-form]");
    if (!form) return;
    const room = form.closest("[data-sampled-room]");
    const url = room && room.dataset.resultUrl;
    if (!url || !window.fetch) return; // the ordinary post
    event.preventDefault();
    const message = form.querySelector("[data-room-message]");
    const keyInput = form.querySelector("[data-client-key]");
    const formData = apiData(form);
    const handover = new CustomEvent("tandem:room-result", {
      bubbles: true,
      cancelable: true,
      detail: { url, formData, clientKey: keyInput.value },
    });
    if (!room.dispatchEvent(handover)) {
      keyInput.value = newKey();
      return; // taken over (an offline queue)
    }
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    message.textContent = page.dataset.sending || "…";
    try {
      const response = await fetch(url, {
        method: "POST",
        body: formData,
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        keyInput.value = newKey();
        message.textContent = page.dataset.saved || "✓";
        showResult(room, body);
      } else if (response.status === 409) {
        page.dataset.closed = "true";
        message.textContent = body.detail || "";
      } else {
        message.textContent = errorText(body);
      }
    } catch (error) {
      // Not sent (no network): the same key is kept, so sending again cannot record it twice.
      message.textContent = page.dataset.offline || String(error);
    } finally {
      button.disabled = false;
    }
  });
})();
