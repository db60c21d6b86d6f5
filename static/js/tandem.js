// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// Signing out forgets the inspection pages and data this browser kept for working offline
// (static/js/offline/sw.js), so the next person on a shared tablet cannot open them. Results still
// waiting to be sent stay in IndexedDB under their owner and go out when that person is back.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches?.("form[data-sign-out]") || !("caches" in window) || form.dataset.forgotten) {
    return;
  }
  event.preventDefault();
  caches
    .keys()
    .then((names) =>
      Promise.all(
        names
          .filter((name) => /^tandem-inspection-(pages|data)-/.test(name))
          .map((name) => caches.delete(name)),
      ),
    )
    .catch(() => {})
    .finally(() => {
      form.dataset.forgotten = "1";
      form.requestSubmit();
    });
});

// Questionnaire: a score of 5 or lower, or 9 or higher, marks its motivation as needed at once.
// Only a hint; the server checks the rule on submit.
document.addEventListener("change", (event) => {
  const radio = event.target.closest("input[data-motivation]");
  if (!radio) return;
  const score = Number(radio.value);
  const needed = score <= 5 || score >= 9;
  const box = document.getElementById(radio.dataset.motivation);
  if (box) box.setAttribute("aria-required", needed ? "true" : "false");
  radio.closest(".question")?.classList.toggle("needs-motivation", needed);
});

// A table wider than the screen scrolls inside its box (.table-responsive, or a table that scrolls
// itself). Such a box must be reachable by keyboard and have a name (WCAG 2.1.1 and 4.1.2), so it
// becomes a focusable region named by the table's caption or the heading above it. A box that
// does not scroll gets no needless tab stop. Boxes with their own tabindex are left as they are.
const SCROLLERS = "main .table-responsive, main table";

function headingBefore(box) {
  const caption = box.querySelector("caption") || (box.tagName === "TABLE" && box.caption);
  if (caption) return caption;
  let found = null;
  for (const heading of document.querySelectorAll("main h1, main h2, main h3, main h4")) {
    if (heading.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) found = heading;
  }
  return found;
}

let scrollLabels = 0;
function markScrollRegions() {
  for (const box of document.querySelectorAll(SCROLLERS)) {
    const auto = box.dataset.scrollRegion === "auto";
    if (box.hasAttribute("tabindex") && !auto) continue;
    const overflow = getComputedStyle(box).overflowX;
    const scrolls =
      (overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !auto) {
      const label = headingBefore(box);
      if (label) {
        if (!label.id) label.id = `scroll-label-${++scrollLabels}`;
        box.setAttribute("aria-labelledby", label.id);
      }
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.dataset.scrollRegion = "auto";
    } else if (!scrolls && auto) {
      for (const name of ["tabindex", "role", "aria-labelledby", "data-scroll-region"]) {
        box.removeAttribute(name);
      }
    }
  }
}

let scrollRegionTimer;
function markScrollRegionsSoon() {
  clearTimeout(scrollRegionTimer);
  scrollRegionTimer = setTimeout(markScrollRegions, 100);
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", markScrollRegions);
} else {
  markScrollRegions();
}
window.addEventListener("resize", markScrollRegionsSoon);
document.addEventListener("htmx:afterSettle", markScrollRegions);
