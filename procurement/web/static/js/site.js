// Behaviour every page may use, without inline script (the Content-Security-Policy forbids it).
// <select data-autosubmit>: submit its form when the choice changes.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});

// <form data-confirm="question">: ask before an irreversible step (cancel, escalate, confirm an
// award, start a settlement run); a button may carry its own data-confirm.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // one send per click: a second click while the page is loading does nothing (the server
  // also refuses to do a form twice, see web/forms.py)
  if (form.method.toLowerCase() === "post") {
    if (form.dataset.sending) {
      event.preventDefault();
    }
    form.dataset.sending = "1";
  }
});

// A phone's menu scrolls sideways: bring the current page's item into view.
document.addEventListener("DOMContentLoaded", function () {
  var active = document.querySelector("nav.portal a.active");
  var nav = active && active.parentElement;
  if (nav && nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft = active.offsetLeft - nav.offsetLeft - nav.clientWidth / 3;
  }
});
