// Behaviour every page may use, without inline script (the Content-Security-Policy forbids it).
// <select data-autosubmit>: submit its form when the choice changes.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
