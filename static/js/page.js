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

  // data-pause-while-focused: a polling htmx region skips its refresh while someone types in it.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const region = event.detail && event.detail.elt;
    if (region instanceof Element && region.hasAttribute("data-pause-while-focused")
        && region.matches(":focus-within")) {
      event.preventDefault();
    }
  });
})();
