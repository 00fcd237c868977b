// Small behaviours the pages declare with data- attributes (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // data-print: a button or link that prints the page.
  document.addEventListener("click", (event) => {
    const control = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (control) {
      event.preventDefault();
      window.print();
    }
  });

  // data-select-on-focus: a read-only field whose whole text is selected for copying.
  document.addEventListener("focusin", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-select-on-focus")) {
      event.target.select();
    }
  });

  // A table scrolling sideways inside its own container on a small screen can be scrolled from the keyboard.
  function makeScrollingTablesFocusable() {
    for (const table of document.querySelectorAll("main table")) {
      const scrolls = table.scrollWidth > table.clientWidth + 1 && getComputedStyle(table).overflowX === "auto";
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", makeScrollingTablesFocusable);
  document.addEventListener("htmx:afterSettle", makeScrollingTablesFocusable);
  window.addEventListener("resize", makeScrollingTablesFocusable);

  // data-pause-while-focused: a polling htmx region skips its refresh while someone types in it, and while
  // a dialog is open over the page (until it has closed), so the control that opened it is still there to
  // take the focus back.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const region = event.detail && event.detail.elt;
    if (region instanceof Element && region.hasAttribute("data-pause-while-focused")
        && (region.matches(":focus-within") || document.body.classList.contains("modal-open"))) {
      event.preventDefault();
    }
  });

  // A live page's polls carry its watch token, so an unchanged page is answered without the database.
  document.addEventListener("htmx:configRequest", (event) => {
    const watch = document.getElementById("live-watch");
    if (watch && event.detail.verb === "get") {
      event.detail.headers["X-Live-Watch"] = watch.dataset.liveWatchToken;
    }
  });
})();
