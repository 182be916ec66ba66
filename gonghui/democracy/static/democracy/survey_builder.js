// The question form shows only the fields its kind uses: options for choices and for a scale's end labels, the
// most choices for multiple choice, the range for a scale, the length for free text.
(function () {
  var form = document.querySelector("form[data-kind-fields]");
  if (!form) { return; }
  var kind = form.querySelector("select[name=kind]");
  var uses = { single: ["options"], multiple: ["options", "max_choices"], scale: ["options", "scale_min", "scale_max"],
    text: ["max_length"] };
  var all = ["options", "max_choices", "scale_min", "scale_max", "max_length"];
  function sync() {
    var shown = uses[kind.value] || all;
    all.forEach(function (name) {
      var box = document.getElementById("field-" + name);
      if (box) { box.hidden = shown.indexOf(name) < 0; }
    });
  }
  kind.addEventListener("change", sync);
  sync();
})();
