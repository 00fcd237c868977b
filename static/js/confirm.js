// Asks before a form or button marked data-confirm="question" does something that cannot be undone.
// Cancelling the dialog sends nothing, and stops htmx from sending it too (this listener runs first).
// A form's fields marked data-confirmed-value="…" get that value only once the question is answered yes,
// so the server can refuse a submission that never asked.
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
      return;
    }
    if (form instanceof HTMLFormElement) {
      for (const field of form.querySelectorAll("input[data-confirmed-value]")) {
        field.value = field.getAttribute("data-confirmed-value");
      }
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
