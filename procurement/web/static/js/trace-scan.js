// Receiving by scan: <form data-trace-scan> posts one code at a time. With this script the
// code is sent in the background, the counts and the scanned list are replaced in place
// (#scan-area of the answer) and the cursor stays in the code field for the next scan.
// Without it the form posts and the page reloads (the field has autofocus).
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-trace-scan]") || !window.fetch) {
      return;
    }
    event.preventDefault();
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
    })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("scan-area");
        var area = document.getElementById("scan-area");
        if (fresh && area) {
          area.replaceWith(fresh);
        }
        var field = document.getElementById("code");
        if (field) {
          if (!fresh || !fresh.querySelector("[aria-invalid]")) {
            field.value = "";
          }
          field.focus();
        }
      })
      .catch(function () { form.submit(); });
  });
})();
