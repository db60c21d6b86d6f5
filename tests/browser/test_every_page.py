"""Every page of the app, on a phone and on a desktop, in Dutch and in English, in real Chromium.

The pages come from the page walker (`walk.py`: every HTML GET route of the URLconf, on the seeded
demo, as the first persona who may open it). On each page:
- nothing scrolls sideways: `document.documentElement.scrollWidth <= window.innerWidth` (a wide
  table scrolls inside its own focusable, labelled region instead);
- no table cell is narrower than its longest word, so no name breaks letter by letter (each word is
  rendered in a hidden span with the font of the element it is written in);
- axe-core (WCAG 2.1 A and AA rules) finds no serious or critical violation.

What runs where, to cover both languages and both sizes without paying four times for axe:
- phone, Dutch: layout + axe. Dutch is the default language and has the longest words, and a
  phone is where tables collapse and regions scroll (`scrollable-region-focusable`).
- desktop, English: layout + axe. The other language (the `lang` of the page, English labels)
  and the desktop header (its menu contrast).
- phone, English and desktop, Dutch: layout only (one navigation and one script each); axe's
  rules look at markup and colours, which these two share with the passes above.

One database copy, one test: every failure of every page is collected and reported at the end
with the page's URL.
"""

import os
import time
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe

from .walk import DESKTOP, PHONE, Personas, by_persona, demo_kit, set_language, walk_pages

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class Pass:
    name: str
    language: str
    viewport: dict
    axe: bool


PASSES = (
    Pass("phone-nl", "nl", PHONE, axe=True),
    Pass("desktop-en", "en", DESKTOP, axe=True),
)
# The other two combinations, layout only, when asked for (TANDEM_WALK_ALL=1): before a release,
# or after a change to the CSS. They double the cost and have found nothing the two above missed.
if os.environ.get("TANDEM_WALK_ALL"):
    PASSES += (
        Pass("phone-en", "en", PHONE, axe=False),
        Pass("desktop-nl", "nl", DESKTOP, axe=False),
    )

# Measured in the page: sideways overflow (and the widest culprits), and table cells narrower
# than their longest word. Words are split on white space; each word is measured with the font
# of the element its text node sits in.
LAYOUT_JS = """
() => {
  const doc = document.documentElement;
  const out = {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, wide: [], cells: []};
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].slice(0, 3).join('.');
    return s;
  };
  if (doc.scrollWidth > window.innerWidth) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > window.innerWidth + 1) {
        // Only the outermost culprits; skip what sits inside a horizontal scroller.
        let p = el.parentElement, inside = false;
        while (p && p !== document.body) {
          const o = getComputedStyle(p).overflowX;
          if (o === 'auto' || o === 'scroll' || o === 'hidden') { inside = true; break; }
          p = p.parentElement;
        }
        if (!inside) out.wide.push(describe(el) + ' (right ' + Math.round(r.right) + ')');
        if (out.wide.length >= 5) break;
      }
    }
  }
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;left:-10000px;top:0;visibility:hidden;white-space:pre';
  document.body.appendChild(probe);
  // Hidden text, and strings that are not words (a hash, a key: CSS lets them break anywhere).
  const SKIP = '.visually-hidden, .hub-hash, .break-anywhere';
  const cache = new Map();
  const measure = (word, el) => {
    const cs = getComputedStyle(el);
    const key = cs.font + '|' + cs.letterSpacing + '|' + cs.textTransform + '|' + word;
    if (!cache.has(key)) {
      probe.style.font = cs.font;
      probe.style.letterSpacing = cs.letterSpacing;
      probe.style.textTransform = cs.textTransform;
      probe.textContent = word;
      cache.set(key, probe.getBoundingClientRect().width);
    }
    return cache.get(key);
  };
  for (const cell of document.querySelectorAll('main td, main th')) {
    if (!cell.getClientRects().length) continue;  // hidden (e.g. a column left out on a phone)
    const cs = getComputedStyle(cell);
    const room = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let worst = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !el.getClientRects().length || el.closest(SKIP)) continue;
      // A compound of letters ("Kick-off") may wrap after its hyphen; codes, dates and periods
      // with digits ("2026-Q3", "SL-2025-CL-01") are one word.
      const words = node.textContent.split(/\\s+/).filter(Boolean)
        .flatMap((w) => /\\d/.test(w) ? [w] : w.split(/(?<=-)/));
      words.sort((a, b) => b.length - a.length);
      for (const word of words.slice(0, 2)) {
        const need = measure(word, el);
        if (need > room + 1 && (!worst || need - room > worst.need - worst.room)) {
          worst = {word, need: Math.round(need), room: Math.round(room)};
        }
      }
    }
    if (worst) out.cells.push(worst);
  }
  probe.remove();
  return out;
}
"""


def _layout_problems(page) -> list[str]:
    found = page.evaluate(LAYOUT_JS)
    problems = []
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(
            f"scrolls sideways: scrollWidth {found['scrollWidth']} > innerWidth "
            f"{found['innerWidth']}; widest: {', '.join(found['wide']) or '?'}"
        )
    for cell in found["cells"][:5]:
        problems.append(
            f"cell narrower than its word {cell['word']!r}: {cell['room']}px for {cell['need']}px"
        )
    if len(found["cells"]) > 5:
        problems.append(f"... and {len(found['cells']) - 5} more cells like that")
    return problems


def _axe_problems(page) -> list[str]:
    results = AXE.run(page, options=AXE_OPTIONS)
    problems = []
    for violation in results.response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        problems.append(
            f"axe {violation['impact']} {violation['id']} ({len(violation['nodes'])}x): "
            f"{violation['help']}; e.g. {'; '.join(targets)}"
        )
    return problems


def _walk_pass(personas: Personas, visits, run: Pass) -> tuple[list[str], int]:
    failures, checked = [], 0
    locale = "nl-NL" if run.language == "nl" else "en-GB"
    for persona, group in by_persona(visits):
        context = personas.context(persona, viewport=run.viewport, locale=locale)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            for visit in group:
                response = page.goto(visit.url)
                problems = []
                if response is None or response.status != 200:
                    problems.append(f"answers {response.status if response else 'nothing'}")
                elif page.get_attribute("html", "lang") != run.language:
                    problems.append(f"html lang is {page.get_attribute('html', 'lang')!r}")
                else:
                    problems += _layout_problems(page)
                    if run.axe:
                        problems += _axe_problems(page)
                checked += 1
                where = f"[{run.name}] {visit.url} ({visit.route}, {persona or 'signed out'})"
                failures += [f"{where}: {problem}" for problem in problems]
        finally:
            context.close()
    return failures, checked


@pytest.mark.browser
def test_every_page_fits_a_phone_and_passes_axe(browser, demo_live_db, live_server):
    kit = demo_kit()
    visits = walk_pages(kit)
    assert len(visits) > 60, f"the walk found only {len(visits)} pages"
    personas = Personas(browser, live_server.url)
    failures, timings = [], []
    for run in PASSES:
        set_language(run.language)
        started = time.monotonic()
        found, checked = _walk_pass(personas, visits, run)
        assert checked == len(visits)
        failures += found
        timings.append(f"{run.name} {time.monotonic() - started:.0f}s")
    assert not failures, (
        f"{len(failures)} problem(s) on {len(visits)} pages ({', '.join(timings)}):\n"
        + "\n".join(failures)
    )
