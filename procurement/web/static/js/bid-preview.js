// The bid form's live preview: unit price and comparable unit price against the ceiling, by the
// same formula the server judges with. Labels come translated from data-label-* attributes.
(function () {
  var facts = document.getElementById("lot-facts");
  var out = document.getElementById("judged");
  if (!facts || !out) { return; }
  var ref = parseFloat(facts.dataset.referenceStrength), ceiling = parseFloat(facts.dataset.ceiling);
  var factor = parseFloat(facts.dataset.factor);
  var product = document.getElementById("product"), price = document.getElementById("price");
  var labels = {
    unit: out.dataset.labelUnit, comparable: out.dataset.labelComparable,
    under: out.dataset.labelUnder, over: out.dataset.labelOver
  };
  function round4(x) { return Math.round((x + Number.EPSILON) * 10000) / 10000; }
  function update() {
    var option = product.options[product.selectedIndex];
    var value = parseFloat(price.value);
    if (!option || !option.dataset.pack || !(value > 0)) { out.textContent = ""; return; }
    var unit = round4(value / parseInt(option.dataset.pack, 10));
    var multiplier = Math.pow(factor, Math.log2(parseFloat(option.dataset.strength) / ref));
    var comparable = round4(unit / multiplier);
    var ok = comparable <= ceiling + 1e-9;
    out.textContent = labels.unit + " " + unit.toFixed(4) + " · " + labels.comparable + " " +
      comparable.toFixed(4) + " · " + (ok ? labels.under : labels.over) + " " + ceiling.toFixed(4);
    out.className = ok ? "badge ok" : "badge bad";
    out.dataset.comparable = comparable.toFixed(4);
  }
  product.addEventListener("change", update); price.addEventListener("input", update); update();
})();
