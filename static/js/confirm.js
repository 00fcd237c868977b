// Asks before a form or button marked data-confirm="question" does something that cannot be undone.
// Cancelling the dialog sends nothing, and stops htmx from sending it too (this listener runs first).
(function () {
  "use strict";

  function refused(element) {
    const question = element && element.getAttribute("data-confirm");
    return Boolean(question) && !window.confirm(question);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (refused(event.submitter) || refused(form)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-confirm]") : null;
    if (refused(link)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
