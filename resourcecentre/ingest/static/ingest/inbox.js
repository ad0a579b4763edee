// Keyboard shortcuts of the editorial inbox (the list, and one item's page).
//
// List: j/k move between rows, Enter or o opens the row, x selects it, a accepts the selected
// rows (the current one when none is) as drafts, r moves to the reason for rejecting them.
// Item: j/k go to the next/previous item, a accepts, r moves to the reason.
// Nothing happens while the editor types in a field or a dialog is open; Esc leaves the field.
// The "Keyboard shortcuts" box turns them all off (WCAG 2.1.4, Character Key Shortcuts), for
// speech input and for people who press keys by accident; the choice is kept in this browser.
(() => {
  "use strict";

  const STORAGE_KEY = "ingest-inbox-shortcuts";

  // Storage may be refused (private windows, blocked cookies): then the shortcuts stay on.
  function stored() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch {
      return null;
    }
  }

  function store(value) {
    try {
      window.localStorage.setItem(STORAGE_KEY, value);
    } catch {
      // the choice lasts for this page only
    }
  }

  let enabled = stored() !== "off";

  function showSwitch() {
    document.querySelectorAll("[data-inbox-shortcuts-switch]").forEach((label) => {
      label.hidden = false;
      label.querySelector("input").checked = enabled;
    });
    document.querySelectorAll("[data-inbox-shortcuts-keys]").forEach((list) => {
      list.hidden = !enabled;
    });
  }

  const NOT_TYPED = new Set(["checkbox", "radio", "button", "submit", "reset", "image"]);

  const typing = (element) =>
    element instanceof HTMLTextAreaElement ||
    element instanceof HTMLSelectElement ||
    (element instanceof HTMLInputElement && !NOT_TYPED.has(element.type)) ||
    (element instanceof HTMLElement && element.isContentEditable);

  const inDialog = (element) =>
    document.body.classList.contains("modal-open") ||
    (element instanceof Element && element.closest("[role=dialog], dialog, .modal") !== null);

  const rows = () => Array.from(document.querySelectorAll("[data-inbox-row]"));
  const boxes = () => Array.from(document.querySelectorAll("[data-inbox-select]"));
  let current = -1;

  function show(index) {
    const all = rows();
    if (all.length === 0) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => {
      row.classList.toggle("is-current", i === current);
      if (i === current) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    const link = all[current].querySelector("[data-inbox-open]");
    if (link) link.focus();
    all[current].scrollIntoView({ block: "nearest" });
  }

  function follow(selector) {
    const link = document.querySelector(selector);
    if (link) window.location.assign(link.href);
  }

  function currentRow() {
    return current >= 0 ? rows()[current] : null;
  }

  // Actions apply to the selected rows, or to the current row when none is selected.
  function selectCurrentIfNone() {
    if (boxes().some((box) => box.checked)) return true;
    const row = currentRow();
    const box = row && row.querySelector("[data-inbox-select]");
    if (box) box.checked = true;
    return Boolean(box);
  }

  function move(step) {
    if (rows().length) show(current < 0 ? 0 : current + step);
    else follow(step > 0 ? "[data-inbox-next]" : "[data-inbox-previous]");
  }

  function open() {
    const row = currentRow();
    const link = row && row.querySelector("[data-inbox-open]");
    if (link) window.location.assign(link.href);
  }

  function toggle() {
    const row = currentRow();
    const box = row && row.querySelector("[data-inbox-select]");
    if (box) box.checked = !box.checked;
  }

  function accept() {
    const button = document.querySelector("[data-inbox-accept]");
    if (!button || (rows().length && !selectCurrentIfNone())) return;
    button.click();
  }

  function reject() {
    const reason = document.querySelector("[data-inbox-reason]");
    if (!reason || (rows().length && !selectCurrentIfNone())) return;
    reason.focus();
    reason.scrollIntoView({ block: "center" });
  }

  const ACTIONS = { j: () => move(1), k: () => move(-1), o: open, x: toggle, a: accept, r: reject };

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!enabled || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (inDialog(target)) return;
    if (typing(target)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.key === "Enter") {
      // A focused link or button does its own thing; on the page itself, Enter opens the row.
      if (target === document.body && currentRow()) {
        event.preventDefault();
        open();
      }
      return;
    }
    const action = ACTIONS[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.closest("[data-inbox-shortcuts-switch]")) {
      enabled = target.checked;
      store(enabled ? "on" : "off");
      showSwitch();
    }
    if (target.matches("[data-inbox-select-all]")) {
      boxes().forEach((box) => {
        box.checked = target.checked;
      });
    }
    // Choosing another story means accepting into it.
    if (target.closest("[data-inbox-other-story]") && target.value) {
      const other = document.querySelector("input[name=story][value=other]");
      if (other) other.checked = true;
    }
  });

  // A click on a row makes it the current one.
  document.addEventListener("click", (event) => {
    const row = event.target instanceof Element && event.target.closest("[data-inbox-row]");
    if (row) {
      current = rows().indexOf(row);
      rows().forEach((each) => each.classList.toggle("is-current", each === row));
    }
  });

  showSwitch();
})();
