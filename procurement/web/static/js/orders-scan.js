// Receiving with a barcode scanner (keyboard wedge: it types the code, then Enter).
// <form data-scan-lines="<id of the receiving form>">: a scanned batch number or product code
// that names a line of the shipment highlights that line and puts the cursor in its
// "accepted" field; any other code is sent to the server, which finds the shipment it names.
(function () {
  function lineFor(form, code) {
    var wanted = code.toUpperCase();
    var lines = form.querySelectorAll("[data-batch]");
    for (var i = 0; i < lines.length; i++) {
      var batch = (lines[i].getAttribute("data-batch") || "").toUpperCase();
      var product = (lines[i].getAttribute("data-product-code") || "").toUpperCase();
      if (wanted === batch || wanted === product) {
        return lines[i];
      }
    }
    return null;
  }

  document.addEventListener("submit", function (event) {
    var scan = event.target;
    if (!scan.matches || !scan.matches("form[data-scan-lines]")) {
      return;
    }
    var target = document.getElementById(scan.getAttribute("data-scan-lines"));
    var input = scan.querySelector("input[name=scan]");
    var status = scan.querySelector("[role=status]");
    var code = (input.value || "").trim();
    if (!target || !code) {
      event.preventDefault();
      return;
    }
    var line = lineFor(target, code);
    if (!line) {
      return; // not a line here: the server looks for a shipment with this number
    }
    event.preventDefault();
    var marked = target.querySelectorAll(".scanned");
    for (var i = 0; i < marked.length; i++) {
      marked[i].classList.remove("scanned");
    }
    line.classList.add("scanned");
    line.scrollIntoView({ block: "center" });
    var accepted = line.querySelector("input[name$='.accepted_quantity']");
    if (accepted) {
      accepted.focus();
      accepted.select();
    }
    if (status) {
      status.textContent = status.getAttribute("data-found");
    }
    input.value = "";
  }, true);
})();
