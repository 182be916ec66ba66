// Voucher entry: the debit and credit totals follow what is typed (the server checks the balance again).
(function () {
  var form = document.getElementById("voucher-form");
  if (!form) { return; }
  function amount(input) {
    var v = parseFloat((input.value || "").replace(/,/g, ""));
    return isNaN(v) ? 0 : Math.round(v * 100);
  }
  function sum(selector) {
    var total = 0;
    form.querySelectorAll(selector).forEach(function (el) { total += amount(el); });
    return total;
  }
  function show(cents) { return (cents / 100).toFixed(2); }
  function update() {
    var debit = sum(".gh-line-debit"), credit = sum(".gh-line-credit");
    var diff = document.getElementById("total-difference");
    document.getElementById("total-debit").textContent = show(debit);
    document.getElementById("total-credit").textContent = show(credit);
    diff.textContent = debit === credit ? diff.dataset.labelBalanced : diff.dataset.labelOff + " " + show(debit - credit);
    diff.classList.toggle("text-danger", debit !== credit);
    diff.classList.toggle("text-success", debit === credit);
  }
  form.addEventListener("input", function (event) {
    if (event.target.matches(".gh-line-debit, .gh-line-credit")) { update(); }
  });
})();
