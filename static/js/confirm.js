// Asks before a form or button marked data-confirm="question" does something that cannot be undone, in an
// accessible dialog (a Bootstrap modal: focus moves into it, Escape cancels, focus returns to the control).
// Cancelling sends nothing, and stops htmx from sending it too (these listeners run first).
// A form's fields marked data-confirmed-value="…" get that value only once the question is answered yes,
// so the server can refuse a submission that never asked.
(function () {
  "use strict";

  let dialog = null;

  function buildDialog() {
    const root = document.createElement("div");
    root.className = "modal fade";
    root.id = "confirm-dialog";
    root.tabIndex = -1;
    root.setAttribute("role", "alertdialog");
    root.setAttribute("aria-modal", "true");
    root.setAttribute("aria-labelledby", "confirm-dialog-title");
    root.setAttribute("aria-describedby", "confirm-dialog-question");
    root.setAttribute("data-testid", "confirm-dialog");
    root.innerHTML = `
      <div class="modal-dialog modal-dialog-centered">
        <div class="modal-content">
          <div class="modal-header">
            <h2 class="modal-title h5" id="confirm-dialog-title">Please confirm</h2>
          </div>
          <div class="modal-body"><p class="mb-0" id="confirm-dialog-question"></p></div>
          <div class="modal-footer">
            <button type="button" class="btn btn-outline-secondary" data-bs-dismiss="modal"
                    data-testid="confirm-cancel">Cancel</button>
            <button type="button" class="btn btn-danger" data-testid="confirm-yes">Yes, go ahead</button>
          </div>
        </div>
      </div>`;
    document.body.appendChild(root);
    return root;
  }

  // Shows the question; calls proceed() only when answered yes.
  function ask(question, trigger, proceed) {
    if (!window.bootstrap) {
      if (window.confirm(question)) proceed();
      return;
    }
    dialog = dialog || buildDialog();
    dialog.querySelector("#confirm-dialog-question").textContent = question;
    const modal = window.bootstrap.Modal.getOrCreateInstance(dialog);
    const yes = dialog.querySelector("[data-testid=confirm-yes]");
    let answeredYes = false;
    yes.onclick = () => {
      answeredYes = true;
      modal.hide();
    };
    dialog.addEventListener("shown.bs.modal", () => dialog.querySelector("[data-testid=confirm-cancel]").focus(),
      {once: true});
    dialog.addEventListener("hidden.bs.modal", () => {
      if (trigger && typeof trigger.focus === "function" && document.contains(trigger)) trigger.focus();
      if (answeredYes) proceed();
    }, {once: true});
    modal.show();
  }

  const confirmed = new WeakSet();

  // A region refreshing itself waits while the question is open, so the control asked about stays in place.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (dialog && dialog.classList.contains("show")) event.preventDefault();
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const submitter = event.submitter;
    const asking = [submitter, form].find((element) => element && element.getAttribute("data-confirm"));
    if (asking && !confirmed.has(form)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(asking.getAttribute("data-confirm"), submitter || form, () => {
        confirmed.add(form);
        form.requestSubmit(submitter || undefined);
      });
      return;
    }
    confirmed.delete(form);
    if (form instanceof HTMLFormElement) {
      for (const field of form.querySelectorAll("input[data-confirmed-value]")) {
        field.value = field.getAttribute("data-confirmed-value");
      }
    }
  }, true);

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-confirm]") : null;
    if (link) {
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(link.getAttribute("data-confirm"), link, () => { window.location.href = link.href; });
    }
  }, true);
})();
