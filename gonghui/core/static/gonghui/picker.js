// The union picker (gonghui/core/widgets.py): htmx fills the list under the text box; this file lets the officer
// move through it with the arrow keys, pick with Enter or a click, and close it with Escape. No inline script.
(function () {
  "use strict";
  function parts(el) {
    var root = el.closest("[data-picker]");
    if (!root) { return null; }
    return { root: root, input: root.querySelector(".gh-picker-input"), code: root.querySelector("[data-picker-code]"),
             list: root.querySelector(".gh-picker-list") };
  }
  function options(p) { return Array.prototype.slice.call(p.list.querySelectorAll(".gh-picker-option")); }
  function isOpen(p) { return p.list.children.length > 0; }
  function close(p) {
    p.list.innerHTML = "";
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
  }
  function activate(p, index) {
    var opts = options(p);
    if (!opts.length) { return; }
    index = (index + opts.length) % opts.length;
    opts.forEach(function (o, i) {
      o.classList.toggle("active", i === index);
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    p.input.setAttribute("aria-activedescendant", opts[index].id);
    opts[index].scrollIntoView({ block: "nearest" });
  }
  function current(p) { return options(p).findIndex(function (o) { return o.classList.contains("active"); }); }
  function choose(p, option) {
    p.code.value = option.getAttribute("data-code");
    p.input.value = option.getAttribute("data-label");
    p.input.classList.remove("is-invalid");
    close(p);
    p.input.focus();
    p.root.dispatchEvent(new CustomEvent("gh:picked", { bubbles: true, detail: { code: p.code.value } }));
  }

  document.addEventListener("input", function (event) {
    var p = event.target.matches(".gh-picker-input") ? parts(event.target) : null;
    if (p) { p.code.value = ""; }  // typing again un-picks: the text is what gets checked
  });
  document.addEventListener("keydown", function (event) {
    var p = event.target.matches(".gh-picker-input") ? parts(event.target) : null;
    if (!p) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!isOpen(p)) { return; }
      event.preventDefault();
      var i = current(p);
      activate(p, event.key === "ArrowDown" ? i + 1 : (i < 0 ? -1 : i - 1));
    } else if (event.key === "Enter") {
      var opts = options(p), j = current(p);
      if (isOpen(p) && j >= 0) { event.preventDefault(); choose(p, opts[j]); }
    } else if (event.key === "Escape" && isOpen(p)) {
      event.preventDefault();
      close(p);
    }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest(".gh-picker-option");
    var p = option ? parts(option) : null;
    if (p) { event.preventDefault(); choose(p, option); return; }
    document.querySelectorAll("[data-picker]").forEach(function (root) {
      if (!root.contains(event.target)) { close(parts(root)); }
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var p = event.target.classList && event.target.classList.contains("gh-picker-list") ? parts(event.target) : null;
    if (!p) { return; }
    options(p).forEach(function (o, i) { o.id = p.list.id + "-" + i; o.setAttribute("aria-selected", "false"); });
    p.input.setAttribute("aria-expanded", isOpen(p) ? "true" : "false");
    p.input.removeAttribute("aria-activedescendant");
  });
})();

// The organization tree expands in place: the first click on ▸ loads the children under the node (htmx, once);
// later clicks fold and unfold them.
(function () {
  "use strict";
  function mark(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.textContent = open ? "▾" : "▸";
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".gh-tree-toggle[data-loaded]");
    if (!toggle) { return; }
    var kids = toggle.closest(".gh-tree-node").querySelector(":scope > .gh-tree");
    kids.hidden = !kids.hidden;
    mark(toggle, !kids.hidden);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var kids = event.target;
    if (!kids.classList || !kids.classList.contains("gh-tree")) { return; }
    var toggle = kids.closest(".gh-tree-node").querySelector(".gh-tree-toggle");
    toggle.setAttribute("data-loaded", "");
    mark(toggle, true);
  });
})();
