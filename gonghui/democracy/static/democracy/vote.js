// A slip's QR opens /vote/#CODE: the code is after '#', which the browser never sends to the server. Put it in the
// form, take it out of the address bar, and go on to the ballot.
(function () {
  var code = decodeURIComponent((window.location.hash || "").slice(1));
  var input = document.getElementById("id_code");
  if (!code || !input) { return; }
  input.value = code;
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }
  var form = document.getElementById("vote-code-form");
  if (form) { form.submit(); }
})();
